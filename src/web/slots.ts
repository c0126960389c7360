/**
 * Extension points of shared pages, so features add to a page without editing it:
 * the paper page renders every registered action (next to the title, e.g. the upvote button)
 * and every section (below the abstract: comments, similar papers, trending explanation...).
 * Features register in their route module's factory (see web/app.tsx), in display order.
 *
 * Contract: for an anonymous visitor (c.get('user') === null) a slot's output must be the same
 * for every visitor — no CSRF tokens, no per-request data — because the paper page caches it per
 * data version (web/cache.ts). Forms belong in the signed-in rendering; anonymous visitors get
 * links to log in. A slot whose output depends on data must make writes bump ctx.dataVersion.
 */
import type { Child } from 'hono/jsx';
import type { Paper } from '../domain/paper.js';
import type { WebContext } from './types.js';

export type PaperSlot = (c: WebContext, paper: Paper) => Promise<Child> | Child;

export interface Slots {
  paperActions: PaperSlot[];
  paperSections: PaperSlot[];
}

export function createSlots(): Slots {
  return { paperActions: [], paperSections: [] };
}
