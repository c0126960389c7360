#!/usr/bin/env node
// The test command of `npm run mutate`: runs the given node:test files in this one process
// (`node --import tsx scripts/mutate-tests.mjs FILE...`), so a mutant costs one start of Node
// and tsx rather than one per test file. A failing test sets the exit code (node:test does
// that outside `--test` too); a file that cannot be loaded is a failure as well.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

for (const file of process.argv.slice(2)) {
  try {
    await import(pathToFileURL(path.resolve(file)).href);
  } catch (err) {
    console.error(`${file}: ${err instanceof Error ? err.stack : String(err)}`);
    process.exitCode = 1;
  }
}
