/** The logging surface ingest needs; pino's Logger satisfies it. */
export interface IngestLog {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLog: IngestLog = { debug() {}, info() {}, warn() {}, error() {} };

/** Collects entries: for tests that assert what was logged. */
export function memoryLog(): IngestLog & { entries: Array<{ level: string; msg: string; obj: object }> } {
  const entries: Array<{ level: string; msg: string; obj: object }> = [];
  const at = (level: string) => (obj: object, msg?: string) => void entries.push({ level, msg: msg ?? '', obj });
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
