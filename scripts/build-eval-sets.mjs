#!/usr/bin/env node
/**
 * Build Papertide's own search evaluation sets (issue 15) from arXiv metadata, in the BEIR
 * format `papertide eval --dataset DIR` reads: corpus.jsonl, queries.jsonl, qrels/<split>.tsv.
 * One corpus, one split (qrels file) per kind of query, so one index build serves them all
 * (`papertide eval --dataset DIR --split kw-terms,kw-phrases,kw-generic,sentences,topical --mode all`).
 *
 *   node scripts/build-eval-sets.mjs [--source ../shared/data/arxiv-cs-2015-2018] [--out eval-sets/arxiv-cs]
 *        [--docs 20000] [--queries 1000] [--seed 15]
 *   node scripts/build-eval-sets.mjs --hf-keywords   (the issue's check task over arxiv-recent-ai, below)
 *
 * Everything is deterministic for a given source file, --docs, --queries and --seed (a seeded
 * mulberry32 generator; no Math.random, no dates). The sets are built with their own simple
 * lower-case word splitting and stop-word list, not with the engine's tokenizer, so the queries are
 * not shaped by what the index does.
 *
 * Splits (known-item ones have one target paper each; targets of different splits are disjoint):
 *   kw-terms    one rare title word: a word of ≥ 4 letters in the target's title, in no other
 *               paper's title, found in 2–30 papers' title or abstract — "I remember a distinctive
 *               word of its title". Target = that paper (the other papers holding the word are not
 *               judged: they are neither relevant nor, strictly, wrong, and count as misses).
 *   kw-phrases  five key phrases, comma-separated, the way Hugging Face's AI keywords read: the
 *               candidates are maximal runs of 1–3 content words of the title and abstract
 *               (split at stop words and punctuation; "X of Y" is kept as one phrase, as in
 *               "mixture of experts"), scored by Σ idf of their words × (2 if in the title) ×
 *               log(1 + occurrences); five are drawn at random (seeded) from the best twelve, in
 *               random order.
 *   kw-generic  like kw-phrases, but only phrases of 2–3 words each found in ≥ 30 papers (the
 *               general vocabulary most Hugging Face keywords use); drawn after the others.
 *   sentences   natural language: one sentence of the target's abstract (12–40 words, not its
 *               first), chosen at random, and REMOVED from the target's abstract in the corpus,
 *               so the query is not found verbatim: the paper has to be recognised from the rest
 *               of its abstract and its title (the honest form of "describe the paper in a
 *               sentence"; the neighbouring sentences share some words with it, as a user's
 *               description would).
 *   topical     arXiv's own judgments: the query is a computer-science category's official name
 *               (e.g. "Cryptography and Security"), relevant are the papers listed in that
 *               category: grade 2 when it is their primary category, 1 when cross-listed. Only
 *               categories with ≥ 20 papers in the corpus. The name is arXiv's, not chosen from
 *               the papers, so no judgment here is ours.
 *
 * --hf-keywords: the known-item task of issue 15 over the check set: corpus = all papers of
 * ../shared/data/arxiv-recent-ai, queries = 1,000 papers that Hugging Face's daily list gave
 * `ai_keywords` (../shared/data/hf-daily-papers), five of their keywords (seeded draw), joined
 * with ", ". Output eval-sets/arxiv-recent-ai-hfkw, split kw-phrases. Never tune on it.
 */
import { createReadStream, mkdirSync, writeFileSync, createWriteStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { once } from 'node:events';

const args = process.argv.slice(2);
const flag = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const HF = args.includes('--hf-keywords');
const SOURCE = flag('source', HF ? '../shared/data/arxiv-recent-ai' : '../shared/data/arxiv-cs-2015-2018');
const OUT = flag('out', HF ? 'eval-sets/arxiv-recent-ai-hfkw' : 'eval-sets/arxiv-cs');
const DOCS = Number(flag('docs', HF ? '0' : '20000'));
const NQ = Number(flag('queries', '1000'));
const SEED = Number(flag('seed', '15'));

function mulberry32(a) {
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rng = mulberry32(SEED);
// Draws inside a split (which phrases, which sentence, which word) have their own stream, so
// changing how one split draws never changes the targets or the corpus of the others.
const draws = { 'kw-terms': mulberry32(SEED + 1), 'kw-phrases': mulberry32(SEED + 2), sentences: mulberry32(SEED + 3), 'kw-generic': mulberry32(SEED + 4) };
function shuffle(a, r = rng) {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

async function* jsonl(path) {
  const rl = createInterface({ input: createReadStream(path).pipe(createGunzip()), crlfDelay: Infinity });
  for await (const line of rl) if (line.trim()) yield JSON.parse(line);
}

const STOP = new Set(
  ('a an and are as at be but by for if in into is it no not of on or such that the their then there these they this to was will with ' +
    'we our us you your he she his her its them what which who whom those am were been being have has had having do does did ' +
    'would should could can may might must shall also than too very so only both each few more most other some nor own same ' +
    'because until while about against between through during before after above below from up down out off over under again ' +
    'further once here when where why how all any just now et al via upon thus hence within without among show shows shown ' +
    'propose proposed paper present presents new approach method methods based using use used results result however one two ' +
    'well many much often first second three several various given provide provides study work works problem problems ' +
    // frequent verbs of abstracts: a key phrase does not run across them
    'leads lead produces produce gives gave give achieves achieve allows allow enables enable requires require obtain obtains ' +
    'obtained improves improve outperforms outperform demonstrate demonstrates satisfy satisfies consider considers studies ' +
    'introduce introduces develop develops investigate investigates make makes take takes yields yield perform performs apply ' +
    'applied called known able existing novel different')
    .split(/\s+/),
);
// Stop words that may stand inside a key phrase ("mixture of experts", "internet of things").
const JOIN = new Set(['of']);

/** Plain text: LaTeX commands and math markers dropped, white space collapsed. */
function clean(s) {
  return s.replace(/\$[^$]*\$/g, ' ').replace(/\\[a-zA-Z]+/g, ' ').replace(/[{}~^_\\]/g, ' ').replace(/\s+/g, ' ').trim();
}
const wordsOf = (s) => s.toLowerCase().match(/[a-z][a-z0-9]*(?:-[a-z0-9]+)*/g) ?? [];

/** Sentences of an abstract: cut after . ! ? followed by white space and a capital or digit. */
function sentences(text) {
  return text.split(/(?<=[.!?])\s+(?=[A-Z0-9(])/).map((s) => s.trim()).filter(Boolean);
}

/** Candidate key phrases: runs of content words split at stop words and punctuation. */
function phrases(text) {
  const out = [];
  for (const chunk of text.toLowerCase().split(/[.,;:!?()\[\]"']|\s-\s/)) {
    const ws = chunk.match(/[a-z][a-z0-9]*(?:-[a-z0-9]+)*/g) ?? [];
    let run = [];
    const flush = () => {
      // trailing joiner is not part of a phrase
      while (run.length && JOIN.has(run[run.length - 1])) run.pop();
      // split runs longer than 3 content words into windows of ≤ 3 (keeping joiners inside)
      const content = run.filter((w) => !JOIN.has(w));
      if (content.length > 0 && content.length <= 3) out.push(run.join(' '));
      else if (content.length > 3) {
        const cw = run.filter((w) => !JOIN.has(w));
        for (let i = 0; i + 3 <= cw.length; i += 3) out.push(cw.slice(i, i + 3).join(' '));
        if (cw.length % 3) out.push(cw.slice(cw.length - (cw.length % 3)).join(' '));
      }
      run = [];
    };
    for (const w of ws) {
      if (JOIN.has(w) && run.length > 0) run.push(w);
      else if (STOP.has(w) || w.length < 2 || /^[0-9]/.test(w) || /ly$/.test(w)) flush();
      else run.push(w);
    }
    flush();
  }
  return out;
}

const CS_NAMES = {
  'cs.AI': 'Artificial Intelligence', 'cs.AR': 'Hardware Architecture', 'cs.CC': 'Computational Complexity',
  'cs.CE': 'Computational Engineering, Finance, and Science', 'cs.CG': 'Computational Geometry', 'cs.CL': 'Computation and Language',
  'cs.CR': 'Cryptography and Security', 'cs.CV': 'Computer Vision and Pattern Recognition', 'cs.CY': 'Computers and Society',
  'cs.DB': 'Databases', 'cs.DC': 'Distributed, Parallel, and Cluster Computing', 'cs.DL': 'Digital Libraries',
  'cs.DM': 'Discrete Mathematics', 'cs.DS': 'Data Structures and Algorithms', 'cs.ET': 'Emerging Technologies',
  'cs.FL': 'Formal Languages and Automata Theory', 'cs.GL': 'General Literature', 'cs.GR': 'Graphics',
  'cs.GT': 'Computer Science and Game Theory', 'cs.HC': 'Human-Computer Interaction', 'cs.IR': 'Information Retrieval',
  'cs.IT': 'Information Theory', 'cs.LG': 'Machine Learning', 'cs.LO': 'Logic in Computer Science', 'cs.MA': 'Multiagent Systems',
  'cs.MM': 'Multimedia', 'cs.MS': 'Mathematical Software', 'cs.NA': 'Numerical Analysis', 'cs.NE': 'Neural and Evolutionary Computing',
  'cs.NI': 'Networking and Internet Architecture', 'cs.OS': 'Operating Systems', 'cs.PF': 'Performance',
  'cs.PL': 'Programming Languages', 'cs.RO': 'Robotics', 'cs.SC': 'Symbolic Computation', 'cs.SD': 'Sound',
  'cs.SE': 'Software Engineering', 'cs.SI': 'Social and Information Networks', 'cs.SY': 'Systems and Control',
};

async function main() {
  let papers = [];
  for await (const p of jsonl(join(SOURCE, 'papers.jsonl.gz'))) {
    papers.push({ id: p.id, title: clean(p.title), abstract: clean(p.abstract), categories: p.categories ?? [], primary: p.primary_category ?? (p.categories ?? [])[0] });
  }
  const total = papers.length;
  if (DOCS > 0 && DOCS < papers.length) {
    papers = shuffle(papers.slice()).slice(0, DOCS);
    papers.sort((a, b) => (a.id < b.id ? -1 : 1));
  }
  const byId = new Map(papers.map((p) => [p.id, p]));
  const queries = [];
  const qrels = {};
  const add = (split, qid, text, rels) => {
    queries.push({ _id: qid, text });
    (qrels[split] ??= []).push(...rels.map(([d, g]) => `${qid}\t${d}\t${g}`));
  };

  if (HF) {
    const kw = new Map();
    for await (const o of jsonl('../shared/data/hf-daily-papers/daily_papers.jsonl.gz')) {
      if (Array.isArray(o.ai_keywords) && o.ai_keywords.length >= 5 && byId.has(o.arxiv_id) && !kw.has(o.arxiv_id)) kw.set(o.arxiv_id, o.ai_keywords);
    }
    const ids = shuffle([...kw.keys()].sort()).slice(0, NQ);
    ids.forEach((id, i) => add('kw-phrases', `hk${i}`, shuffle(kw.get(id).slice()).slice(0, 5).join(', '), [[id, 1]]));
  } else {
    // document frequencies of words (title + abstract) and of title words
    const df = new Map();
    const tdf = new Map();
    for (const p of papers) {
      for (const w of new Set(wordsOf(p.title + ' ' + p.abstract))) df.set(w, (df.get(w) ?? 0) + 1);
      for (const w of new Set(wordsOf(p.title))) tdf.set(w, (tdf.get(w) ?? 0) + 1);
    }
    const N = papers.length;
    const idf = (w) => Math.log(N / (df.get(w) ?? 1));
    const order = shuffle(papers.map((_, i) => i));
    let next = 0;
    const takeTargets = (n, ok) => {
      const out = [];
      while (out.length < n && next < order.length) {
        const p = papers[order[next++]];
        const r = ok(p);
        if (r) out.push([p, r]);
      }
      return out;
    };
    // kw-terms
    takeTargets(Math.round(NQ / 2), (p) => {
      const cands = [...new Set(wordsOf(p.title))].filter((w) => w.length >= 4 && /^[a-z-]+$/.test(w) && !STOP.has(w) && tdf.get(w) === 1 && (df.get(w) ?? 0) >= 2 && (df.get(w) ?? 0) <= 30).sort();
      return cands.length ? cands[Math.floor(draws['kw-terms']() * cands.length)] : null;
    }).forEach(([p, w], i) => add('kw-terms', `kt${i}`, w, [[p.id, 1]]));
    // kw-phrases
    takeTargets(NQ, (p) => {
      const score = new Map();
      const titlePh = new Set(phrases(p.title));
      for (const ph of [...phrases(p.title), ...phrases(p.abstract)]) score.set(ph, (score.get(ph) ?? 0) + 1);
      const scored = [...score.entries()].map(([ph, c]) => [ph, ph.split(' ').filter((w) => !JOIN.has(w)).reduce((s, w) => s + idf(w), 0) * (titlePh.has(ph) ? 2 : 1) * Math.log(1 + c)]);
      scored.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      const best = [];
      for (const [ph] of scored) {
        if (best.some((b) => b.includes(ph) || ph.includes(b))) continue;
        best.push(ph);
        if (best.length === 12) break;
      }
      return best.length >= 5 ? shuffle(best, draws['kw-phrases']).slice(0, 5).join(', ') : null;
    }).forEach(([p, q], i) => add('kw-phrases', `kp${i}`, q, [[p.id, 1]]));
    // sentences (the sentence is withheld from the target's abstract)
    takeTargets(NQ, (p) => {
      const ss = sentences(p.abstract);
      if (ss.length < 3) return null;
      const ok = ss.map((s, i) => i).filter((i) => i > 0 && wordsOf(ss[i]).length >= 12 && wordsOf(ss[i]).length <= 40);
      if (!ok.length) return null;
      const k = ok[Math.floor(draws.sentences() * ok.length)];
      const q = ss[k];
      p.abstract = ss.filter((_, i) => i !== k).join(' ');
      return q;
    }).forEach(([p, q], i) => add('sentences', `ks${i}`, q, [[p.id, 1]]));
    // kw-generic: like kw-phrases, but only phrases of 2–3 words that are each common (in ≥ 30
    // papers): the general vocabulary Hugging Face's keywords mostly use ("knowledge editing",
    // "lifelong learning"), where the exact words alone identify the paper less often. Drawn
    // last, so adding it changed neither the other splits' targets nor the corpus.
    takeTargets(NQ, (p) => {
      const score = new Map();
      const titlePh = new Set(phrases(p.title));
      for (const ph of [...phrases(p.title), ...phrases(p.abstract)]) {
        const ws = ph.split(' ').filter((w) => !JOIN.has(w));
        if (ws.length >= 2 && ws.every((w) => (df.get(w) ?? 0) >= 30)) score.set(ph, (score.get(ph) ?? 0) + 1);
      }
      const scored = [...score.entries()].map(([ph, c]) => [ph, ph.split(' ').filter((w) => !JOIN.has(w)).reduce((s, w) => s + idf(w), 0) * (titlePh.has(ph) ? 2 : 1) * Math.log(1 + c)]);
      scored.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      const best = [];
      for (const [ph] of scored) {
        if (best.some((b) => b.includes(ph) || ph.includes(b))) continue;
        best.push(ph);
        if (best.length === 12) break;
      }
      return best.length >= 5 ? shuffle(best, draws['kw-generic']).slice(0, 5).join(', ') : null;
    }).forEach(([p, q], i) => add('kw-generic', `kg${i}`, q, [[p.id, 1]]));
    // topical
    const members = new Map();
    for (const p of papers) for (const c of p.categories) if (CS_NAMES[c]) (members.get(c) ?? members.set(c, []).get(c)).push([p.id, c === p.primary ? 2 : 1]);
    [...members.keys()].sort().filter((c) => members.get(c).length >= 20).forEach((c) => add('topical', `tc-${c}`, CS_NAMES[c], members.get(c)));
  }

  mkdirSync(join(OUT, 'qrels'), { recursive: true });
  const cs = createWriteStream(join(OUT, 'corpus.jsonl'));
  for (const p of papers) if (!cs.write(JSON.stringify({ _id: p.id, title: p.title, text: p.abstract }) + '\n')) await once(cs, 'drain');
  cs.end();
  await once(cs, 'finish');
  writeFileSync(join(OUT, 'queries.jsonl'), queries.map((q) => JSON.stringify(q)).join('\n') + '\n');
  const sizes = {};
  for (const [split, lines] of Object.entries(qrels)) {
    writeFileSync(join(OUT, 'qrels', `${split}.tsv`), ['query-id\tcorpus-id\tscore', ...lines].join('\n') + '\n');
    sizes[split] = new Set(lines.map((l) => l.split('\t')[0])).size;
  }
  process.stdout.write(JSON.stringify({ out: OUT, source: SOURCE, source_papers: total, docs: papers.length, seed: SEED, queries: sizes }) + '\n');
}
main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e) + '\n');
  process.exit(1);
});
