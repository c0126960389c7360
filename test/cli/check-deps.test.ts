/**
 * scripts/check-deps.mjs guards the layout (architecture.md): run on a copy of this source tree,
 * it passes, and it fails, naming the files, when a cycle or an import of the composition root
 * is added.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

function checkDeps(root: string) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'check-deps.mjs'), root], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

function copyOfSource(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-deps-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.cpSync(path.join(ROOT, 'src'), path.join(dir, 'src'), { recursive: true });
  return dir;
}

test('check-deps passes on the source tree as it is', (t) => {
  const r = checkDeps(copyOfSource(t));
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /dependency direction: ok \(\d+ files checked, no import cycle\)/);
});

test('check-deps refuses an import cycle, also one made of type imports only', (t) => {
  const dir = copyOfSource(t);
  fs.writeFileSync(path.join(dir, 'src', 'papers', 'knot-a.ts'), "import { b } from './knot-b.js';\nexport const a = () => b;\n");
  fs.writeFileSync(path.join(dir, 'src', 'papers', 'knot-b.ts'), "import type { Paper } from '../domain/paper.js';\nimport type { a } from './knot-a.js';\nexport const b = (p?: Paper, f?: typeof a) => [p, f];\n");
  const r = checkDeps(dir);
  assert.equal(r.status, 1);
  assert.match(r.out, /import cycle through 2 files: papers\/knot-a\.ts → papers\/knot-b\.ts/);

  // A longer one through existing files: the event bus importing a service that imports the kernel.
  const dir2 = copyOfSource(t);
  const events = path.join(dir2, 'src', 'events.ts');
  fs.writeFileSync(events, "import type { SearchService } from './search/search.service.js';\nexport type X = SearchService;\n" + fs.readFileSync(events, 'utf8'));
  const r2 = checkDeps(dir2);
  assert.equal(r2.status, 1);
  assert.match(r2.out, /import cycle through \d+ files: .*events\.ts.*search\/search\.service\.ts/);
});

test('check-deps refuses a feature importing the composition root; entry points and tests may', (t) => {
  const dir = copyOfSource(t);
  const votes = path.join(dir, 'src', 'votes', 'votes.service.ts');
  fs.writeFileSync(votes, "import type { App } from '../app.js';\nexport type Uses = App;\n" + fs.readFileSync(votes, 'utf8'));
  const r = checkDeps(dir);
  assert.equal(r.status, 1);
  assert.match(r.out, /votes\/votes\.service\.ts: only entry points import the composition root src\/app\.ts/);

  const ok = copyOfSource(t);
  fs.writeFileSync(path.join(ok, 'src', 'votes', 'root.test.ts'), "import { createApp } from '../app.js';\nvoid createApp;\n");
  assert.equal(checkDeps(ok).status, 0, 'a test may import the root');
});
