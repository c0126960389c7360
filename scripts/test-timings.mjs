// A node:test reporter: the time each test file took (its top-level tests' durations summed), the
// slowest ten at the end, and the whole run's duration. Used by scripts/run-tests.mjs beside spec.
import path from 'node:path';

export default async function* timings(source) {
  const perFile = new Map();
  const t0 = performance.now();
  for await (const event of source) {
    if ((event.type === 'test:pass' || event.type === 'test:fail') && event.data.nesting === 0 && event.data.file) {
      const f = path.relative(process.cwd(), event.data.file);
      perFile.set(f, (perFile.get(f) ?? 0) + (event.data.details?.duration_ms ?? 0));
    }
  }
  const top = [...perFile].sort((a, b) => b[1] - a[1]).slice(0, 10);
  yield `\nslowest test files (sum of their top-level tests):\n`;
  for (const [f, ms] of top) yield `  ${(ms / 1000).toFixed(1).padStart(7)} s  ${f}\n`;
  yield `${JSON.stringify({ files: perFile.size, wallSeconds: Math.round((performance.now() - t0) / 100) / 10, slowest: Object.fromEntries(top.map(([f, ms]) => [f, Math.round(ms / 100) / 10])) })}\n`;
}
