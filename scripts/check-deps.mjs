#!/usr/bin/env node
// Enforces the dependency direction of architecture.md:
//   domain ← repositories ← services ← (web | jobs | cli)
// - src/domain imports nothing outside src/domain and does no I/O (no node:fs, net, http, db...)
// - web, jobs and cli never import each other
// - feature folders (papers, daily, search, ...) never import web, jobs or cli
// - repositories (*.repository.ts) never import services (*.service.ts)
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const src = path.join(root, 'src');
const EDGES = ['web', 'jobs', 'cli'];
const IO_MODULES = /^(node:)?(fs|fs\/promises|net|http|https|child_process|dgram|dns|tls|worker_threads)$|^(better-sqlite3|pg|kysely|nodemailer|hono)/;

function walk(dir, out = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (/\.(ts|tsx)$/.test(e.name)) out.push(p);
  }
  return out;
}

const problems = [];
for (const file of walk(src)) {
  const rel = path.relative(src, file);
  const top = rel.split(path.sep)[0];
  const text = fs.readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2]);
  for (const spec of specs) {
    const isTest = /\.test\.tsx?$/.test(file);
    if (!spec.startsWith('.')) {
      if (top === 'domain' && !isTest && IO_MODULES.test(spec)) problems.push(`${rel}: domain code must not do I/O (imports ${spec})`);
      continue;
    }
    const target = path.relative(src, path.resolve(path.dirname(file), spec));
    const ttop = target.split(path.sep)[0];
    if (target.startsWith('..')) continue;
    if (top === 'domain' && ttop !== 'domain') problems.push(`${rel}: domain must only import domain (imports ${target})`);
    if (EDGES.includes(top) && EDGES.includes(ttop) && top !== ttop) problems.push(`${rel}: ${top} must not import ${ttop} (${target})`);
    if (!EDGES.includes(top) && !['app.ts', 'app.tsx'].includes(rel) && EDGES.includes(ttop) && !isTest) problems.push(`${rel}: ${top} must not import the ${ttop} edge (${target})`);
    if (/\.repository\.tsx?$/.test(rel) && /\.service(\.js|\.ts)?$/.test(spec)) problems.push(`${rel}: a repository must not import a service (${target})`);
  }
}
if (problems.length) {
  console.error(`dependency direction violated (architecture.md):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  process.exit(1);
}
console.log(`dependency direction: ok (${walk(src).length} files checked)`);
