/**
 * `papertide` — the command line. Each command lives in ./commands and calls the same services
 * as the web app. Add a command: write commands/x.ts exporting register(program), list it below.
 */
import { Command } from 'commander';
import * as serve from './commands/serve.js';
import * as migrate from './commands/migrate.js';
import * as importCmd from './commands/import.js';
import * as doctor from './commands/doctor.js';
import * as demo from './commands/demo.js';
import * as ingest from './commands/ingest.js';

const program = new Command();
program
  .name('papertide')
  .description('Papertide: a self-hostable research-paper discovery hub.\nConfiguration comes from environment variables (see README).')
  .version('0.1.0');

for (const cmd of [serve, migrate, importCmd, doctor, demo, ingest]) cmd.register(program);
(await import('./commands/digest.js')).register(program);
(await import('./commands/user.js')).register(program);
(await import('./commands/reindex.js')).register(program);
(await import('./commands/eval.js')).register(program);
(await import('./commands/eval-recs.js')).register(program); // For you quality
(await import('./commands/papers.js')).register(program); // papers ls|search|info|read, like `hf papers`
(await import('./commands/mail.js')).register(program); // the outbox, decoded

await program.parseAsync(process.argv);
