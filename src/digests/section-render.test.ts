import test from 'node:test';
import assert from 'node:assert/strict';
import { SectionRenderer, sectionHtml, sectionText, type DigestPaper } from './emails.js';

const paper = (id: string, title: string, extra: Partial<DigestPaper> = {}): DigestPaper => ({ id, title, abstract: `An abstract of ${title} with $x<y$ & more text. `.repeat(12), authors: ['A. Author', 'B. Author', 'C. Author', 'D. Author'], upvotes: 3, codeUrl: null, categories: ['cs.CL', 'cs.LG'], ...extra });

test('SectionRenderer gives sectionHtml and sectionText byte for byte, with its parts kept between subscribers', () => {
  const base = 'https://papertide.example.org';
  const r = new SectionRenderer(base);
  const a = paper('2401.00001', 'Graphs & <trees> for "all"');
  const b = paper('2401.00002', 'Costs of $\\alpha$-$\\beta$ pruning ($1 vs $&)', { codeUrl: 'https://github.com/x/y' });
  const c = paper('2401.00003', 'Plain');
  const cases: { title: string; items: { paper: DigestPaper; why: string }[] }[] = [
    { title: 'For you', items: [{ paper: a, why: 'like “Costs of $& and $1” in your library' }, { paper: b, why: 'you follow cat:cs.CL & <b>' }] },
    { title: 'Following', items: [{ paper: b, why: 'you follow author Ann O\'Neil' }, { paper: c, why: 'you follow cat:cs.CL · you follow "x"' }, { paper: a, why: 'recent' }] },
    { title: 'For you', items: [{ paper: c, why: 'like “Plain” in your library' }] },
    { title: 'For you', items: [] },
  ];
  for (let round = 0; round < 2; round++)
    for (const k of cases) {
      assert.equal(r.html(k.title, k.items), sectionHtml(k.title, k.items, base));
      assert.equal(r.text(k.title, k.items), sectionText(k.title, k.items, base));
    }
});
