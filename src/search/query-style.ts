/**
 * How a query reads, which decides how much the dense signal may move its ranking.
 *
 * People type two kinds of queries. Keywords ("diffusion image editing", "sparse attention
 * long context") name exact terms: a paper that holds them is what is wanted, and on arXiv the
 * lexical ranking finds it best — a known-item set of 1,000 title-keyword queries over the
 * 74,728 papers of arxiv-recent-ai: MRR@10 lexical 0.730, hybrid 0.699 (docs/search.md,
 * "Query style"). Sentences ("methods that let small models reason step by step.") describe a
 * meaning in function words, and there the hybrid ranker (RM3 + vectors) is what beats BM25
 * (SciFact). So:
 *   - keywords: no stop word among the query's words (the parts of a hyphenated compound such as
 *     "search-and-rescue" or "in-person" do not count) and no sentence end (. ? !) → the lexical
 *     ranking decides; vectors do not move the order;
 *   - sentence: anything else → the hybrid ranker.
 * None of SciFact's 1,109 claims reads as keywords (each ends with a full stop), so the SciFact
 * figures are those of the hybrid ranker unchanged.
 */
import { STOPWORDS, words } from './tokenizer.js';

export type QueryStyle = 'keywords' | 'sentence';
/**
 * 'stopword': any stop word makes a sentence (the first rule).
 * 'connector': stop words that join the words of a term ("mixture of experts", "question
 * answering and retrieval", "graph networks for molecules") do not; a sentence needs a word that
 * only sentences have (articles, pronouns, auxiliaries, question words, …) or a sentence end.
 */
export type StyleRule = 'stopword' | 'connector';
export const DEFAULT_STYLE_RULE: StyleRule = 'stopword';

/** Stop words that stand inside names of things and lists of them. */
const CONNECTORS: ReadonlySet<string> = new Set('of and or for in on with to via from by at into without between under over among within versus vs'.split(' '));

export function queryStyle(text: string, rule: StyleRule = DEFAULT_STYLE_RULE): QueryStyle {
  const t = text.trim();
  if (!t) return 'sentence';
  if (/[.?!]["')\]]*$/.test(t)) return 'sentence';
  // A hyphenated compound is one term whatever its parts ("search-and-rescue", "in-person",
  // "state-of-the-art"): it stands for one placeholder word, never a stop word.
  const ws = words(t.replace(/[\p{L}\p{N}]+(?:-[\p{L}\p{N}]+)+/gu, ' compound '));
  if (ws.length === 0) return 'sentence';
  if (rule === 'stopword') return ws.some((w) => STOPWORDS.has(w)) ? 'sentence' : 'keywords';
  // a connector may not start or end the query ("for retrieval" is a fragment of a sentence)
  if (CONNECTORS.has(ws[0]) || CONNECTORS.has(ws[ws.length - 1])) return 'sentence';
  return ws.some((w) => STOPWORDS.has(w) && !CONNECTORS.has(w)) ? 'sentence' : 'keywords';
}

/** One line for `?debug=1`: what was decided and why. */
export function explainStyle(style: QueryStyle): string {
  return style === 'keywords'
    ? 'query reads as keywords (no stop word, no sentence end): ranked by BM25F alone'
    : 'query reads as a sentence: hybrid ranking (BM25F, RM3 expansion and vectors)';
}
