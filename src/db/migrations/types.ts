/** What a migration is told about the store it runs on (its own module, so migrations and their list import no cycle). */
export interface MigrationContext {
  dialect: 'sqlite' | 'postgres';
}
