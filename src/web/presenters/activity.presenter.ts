/**
 * API presenters of what a signed-in user does to a paper: a vote and a comment, in the shapes
 * of `ApiVote` and `ApiComment` (schemas.ts). The paper itself is presented by paper.presenter.ts.
 */
import type { z } from 'zod';
import type { ApiComment, ApiVote } from '../api/schemas.js';

/** A vote after a toggle: the paper, whether the user now upvotes it, its upvote count. */
export function presentVote(r: { paperId: string; voted: boolean; upvotes: number }): z.infer<typeof ApiVote> {
  return { id: r.paperId, upvoted: r.voted, upvotes: r.upvotes };
}

/** A comment as posted: its id and paper, the text as written, when, and its author's name. */
export function presentComment(r: { id: number; paperId: string }, body: string, createdAt: Date, authorName: string): z.infer<typeof ApiComment> {
  return { id: r.id, paperId: r.paperId, body, createdAt: createdAt.toISOString(), author: { name: authorName } };
}
