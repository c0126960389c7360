/**
 * The write use cases the API calls, owned by the accounts feature: votes (src/votes),
 * submissions (src/submissions) and comments (src/comments). A use case that is not in the
 * tree yet answers 503 with a readable reason instead of a 500.
 */
import type { AppContext } from '../../context.js';
import type { WebContext, WebUser } from '../types.js';
import { AppError } from '../../domain/errors.js';
import { toggleVote } from '../../votes/votes.service.js';
import { submitPaper } from '../../submissions/submissions.service.js';
import { addComment } from '../../comments/comments.service.js';
import { listedPaper } from '../../feeds/listings.service.js';
import { presentItem } from '../presenters/paper.presenter.js';
import { presentComment, presentVote } from '../presenters/activity.presenter.js';
import { listingDeps } from './deps.js';
import type { ApiItemT } from './schemas.js';
import { z } from 'zod';
import type { ApiComment, ApiVote } from './schemas.js';

export interface WritePorts {
  submitPaper(c: WebContext, user: WebUser, idOrUrl: string): Promise<ApiItemT>;
  toggleVote(c: WebContext, user: WebUser, paperId: string): Promise<z.infer<typeof ApiVote>>;
  addComment(c: WebContext, user: WebUser, paperId: string, body: string, parentId: number | null): Promise<z.infer<typeof ApiComment>>;
}

export function writePorts(ctx: AppContext): WritePorts {
  return {
    async submitPaper(_c, user, idOrUrl) {
      const r = await submitPaper(ctx, { id: user.id, name: user.name, role: user.role }, idOrUrl);
      const found = await listedPaper(listingDeps(ctx), r.paperId);
      if (!found) throw new AppError('internal', `arXiv:${r.paperId} was submitted but cannot be read back.`);
      return presentItem(found.paper, found.featured);
    },
    async toggleVote(_c, user, paperId) {
      const r = await toggleVote(ctx, { id: user.id, name: user.name, role: user.role }, paperId);
      return presentVote(r);
    },
    async addComment(_c, user, paperId, body, parentId) {
      const r = await addComment(ctx, { id: user.id, name: user.name, role: user.role }, paperId, body, parentId);
      return presentComment(r, body, ctx.clock.now(), user.name);
    },
  };
}
