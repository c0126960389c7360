#!/usr/bin/env node
// Enforces the layout of architecture.md:
//   domain ← repositories ← services ← (web | jobs | cli), features on a small kernel
// - src/domain imports nothing outside src/domain and does no I/O (no node:fs, net, http, db...)
// - web, jobs and cli never import each other
// - feature folders (papers, daily, search, ...) never import web, jobs or cli
// - repositories (*.repository.ts) never import services (*.service.ts)
// - src/app.ts (the composition root) is imported only by entry points (src/cli/main.ts, the
//   CLI's door src/cli/context.ts) and tests: features depend on the kernel (context.ts,
//   events.ts, health.ts, paths.ts, jobs/job.ts), never on the root
// - jobs/job.ts (the shape of a job) is kernel: any layer may import it
// - no import cycle between source files (type-only imports count: a cycle of types is a knot
//   in the design even where the runtime does not see it)
// Usage: node scripts/check-deps.mjs [project root]   (default: this checkout)
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(process.argv[2] ?? path.join(path.dirname(new URL(import.meta.url).pathname), '..'));
const src = path.join(root, 'src');
const EDGES = ['web', 'jobs', 'cli'];
const ROOT_FILES = ['app.ts', 'app.tsx'];
/** Kernel files that live in an edge folder: importing them is not importing the edge. */
const KERNEL_IN_EDGES = [path.join('jobs', 'job.ts')];
const MAY_IMPORT_ROOT = [path.join('cli', 'main.ts'), path.join('cli', 'context.ts')];
const IO_MODULES = /^(node:)?(fs|fs\/promises|net|http|https|child_process|dgram|dns|tls|worker_threads)$|^(better-sqlite3|pg|kysely|nodemailer|hono)/;

function walk(dir, out = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (/\.(ts|tsx)$/.test(e.name)) out.push(p);
  }
  return out;
}

/** The source file an import specifier names (`./x.js` is `./x.ts` or `./x.tsx`), or null. */
function resolveSpec(from, spec) {
  const base = path.resolve(path.dirname(from), spec);
  const stem = base.replace(/\.(m?js|jsx)$/, '');
  for (const c of [base, `${stem}.ts`, `${stem}.tsx`, path.join(base, 'index.ts')]) if (/\.tsx?$/.test(c) && fs.existsSync(c)) return c;
  return null;
}

const files = walk(src);
const problems = [];
/** file → files it imports (source files only, tests excluded from the cycle check). */
const graph = new Map();
for (const file of files) {
  const rel = path.relative(src, file);
  const top = rel.split(path.sep)[0];
  const isTest = /\.test\.tsx?$/.test(file);
  const text = fs.readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2]);
  const edges = [];
  for (const spec of specs) {
    if (!spec.startsWith('.')) {
      if (top === 'domain' && !isTest && IO_MODULES.test(spec)) problems.push(`${rel}: domain code must not do I/O (imports ${spec})`);
      continue;
    }
    const target = path.relative(src, path.resolve(path.dirname(file), spec));
    const ttop = target.split(path.sep)[0];
    if (target.startsWith('..')) continue;
    const resolved = resolveSpec(file, spec);
    if (resolved && !isTest) edges.push(resolved);
    const targetRel = resolved ? path.relative(src, resolved) : target;
    if (top === 'domain' && ttop !== 'domain') problems.push(`${rel}: domain must only import domain (imports ${target})`);
    const kernel = KERNEL_IN_EDGES.includes(targetRel);
    if (EDGES.includes(top) && EDGES.includes(ttop) && top !== ttop && !kernel) problems.push(`${rel}: ${top} must not import ${ttop} (${target})`);
    if (!EDGES.includes(top) && !ROOT_FILES.includes(rel) && EDGES.includes(ttop) && !isTest && !kernel) problems.push(`${rel}: ${top} must not import the ${ttop} edge (${target})`);
    if (/\.repository\.tsx?$/.test(rel) && /\.service(\.js|\.ts)?$/.test(spec)) problems.push(`${rel}: a repository must not import a service (${target})`);
    if (ROOT_FILES.includes(targetRel) && !MAY_IMPORT_ROOT.includes(rel) && !isTest)
      problems.push(`${rel}: only entry points import the composition root src/${targetRel}; import the kernel (context.ts, events.ts, health.ts, paths.ts, jobs/job.ts) instead`);
  }
  if (!isTest) graph.set(file, edges);
}

// Import cycles: strongly connected components of the import graph (Tarjan, iterative).
{
  let next = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  for (const start of graph.keys()) {
    if (index.has(start)) continue;
    const work = [[start, 0]];
    index.set(start, next);
    low.set(start, next++);
    stack.push(start);
    onStack.add(start);
    while (work.length) {
      const frame = work[work.length - 1];
      const [v, i] = frame;
      const out = graph.get(v) ?? [];
      if (i < out.length) {
        frame[1]++;
        const w = out[i];
        if (!graph.has(w)) continue;
        if (!index.has(w)) {
          index.set(w, next);
          low.set(w, next++);
          stack.push(w);
          onStack.add(w);
          work.push([w, 0]);
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1][0];
        low.set(parent, Math.min(low.get(parent), low.get(v)));
      }
      if (low.get(v) === index.get(v)) {
        const scc = [];
        let w;
        do {
          w = stack.pop();
          onStack.delete(w);
          scc.push(w);
        } while (w !== v);
        const selfLoop = (graph.get(v) ?? []).includes(v);
        if (scc.length > 1 || selfLoop) problems.push(`import cycle through ${scc.length} files: ${scc.map((f) => path.relative(src, f)).sort().join(' → ')}`);
      }
    }
  }
}

if (problems.length) {
  console.error(`dependency direction violated (architecture.md):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  process.exit(1);
}
console.log(`dependency direction: ok (${files.length} files checked, no import cycle)`);
