/**
 * Migrations, in order. Each module exports up(db, ctx) and down(db, ctx).
 * To add one: create NNN_name.ts beside this file and append it below (never edit a shipped one).
 */
import type { Kysely, Migration, MigrationProvider } from 'kysely';
import * as m001 from './001_initial.js';
import * as m002 from './002_accounts.js';
import * as m003 from './003_change_log.js';
import * as m004 from './004_hf_fields.js';
import * as m005 from './005_library.js';
import * as m006 from './006_rate_limits.js';
import * as m007 from './007_recs.js';
import * as m008 from './008_author_claims.js';
import * as m009 from './009_feed_tokens.js';
import * as m010 from './010_ban_holds.js';

export type { MigrationContext } from './types.js';
import type { MigrationContext } from './types.js';

type Module = { up(db: Kysely<any>, ctx: MigrationContext): Promise<void>; down?(db: Kysely<any>, ctx: MigrationContext): Promise<void> };

const modules: Record<string, Module> = {
  '001_initial': m001,
  '002_accounts': m002,
  '003_change_log': m003,
  '004_hf_fields': m004,
  '005_library': m005,
  '006_rate_limits': m006,
  '007_recs': m007,
  '008_author_claims': m008,
  '009_feed_tokens': m009,
  '010_ban_holds': m010,
};

export function migrationProvider(ctx: MigrationContext): MigrationProvider {
  return {
    async getMigrations() {
      const out: Record<string, Migration> = {};
      for (const [name, m] of Object.entries(modules)) {
        out[name] = { up: (db) => m.up(db, ctx), down: m.down ? (db) => m.down!(db, ctx) : undefined };
      }
      return out;
    },
  };
}

export const migrationNames = Object.keys(modules);
