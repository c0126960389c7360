/**
 * RIS export (Zotero, EndNote, Mendeley): one record per paper, tag `XX  - value` lines, values
 * on one line (RIS has no continuation lines), titles and abstracts as plain text.
 *   Format: https://en.wikipedia.org/wiki/RIS_(file_format)
 */
import type { CitablePaper } from './bibtex.js';
import { latexToPlainText } from './clean-text.js';

const oneLine = (s: string) => s.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();

/** "Given Middle Family" → "Family, Given Middle" (a one-word name is kept as it is). */
export function risAuthor(name: string): string {
  const parts = oneLine(name).split(' ');
  if (parts.length < 2) return parts[0] ?? '';
  return `${parts[parts.length - 1]}, ${parts.slice(0, -1).join(' ')}`;
}

export function risRecord(p: CitablePaper): string {
  const lines: string[] = ['TY  - GEN', `TI  - ${oneLine(latexToPlainText(p.title))}`];
  for (const a of p.authors) lines.push(`AU  - ${risAuthor(a)}`);
  const date = /^(\d{4})-(\d{2})-(\d{2})/.exec(p.publishedAt ?? '');
  if (date) lines.push(`PY  - ${date[1]}`, `DA  - ${date[1]}/${date[2]}/${date[3]}`);
  if (p.abstract) lines.push(`AB  - ${oneLine(p.abstract)}`);
  for (const c of p.categories ?? []) lines.push(`KW  - ${oneLine(c)}`);
  if (p.doi) lines.push(`DO  - ${oneLine(p.doi)}`);
  lines.push(`PB  - arXiv`, `M1  - arXiv:${p.id}`, `UR  - https://arxiv.org/abs/${p.id}`, 'ER  - ');
  return lines.join('\r\n') + '\r\n';
}

export function risFile(papers: CitablePaper[]): string {
  return papers.map(risRecord).join('\r\n');
}
