/**
 * The write use cases the API calls (submit, vote, comment), owned by the accounts feature.
 * Until those services are in the tree, the API answers 503 with a readable reason.
 */
import type { AppContext } from '../../app.js';
import type { WebContext, WebUser } from '../types.js';
import { AppError } from '../../domain/errors.js';

export interface WritePorts {
  submitPaper(c: WebContext, user: WebUser, idOrUrl: string): Promise<unknown>;
  toggleVote(c: WebContext, user: WebUser, paperId: string): Promise<unknown>;
  addComment(c: WebContext, user: WebUser, paperId: string, body: string, parentId: number | null): Promise<unknown>;
}

const unavailable = (what: string) => async (): Promise<never> => {
  throw new AppError('unavailable', `${what} through the API is not available on this server yet.`);
};

export function writePorts(_ctx: AppContext): WritePorts {
  return { submitPaper: unavailable('Submitting'), toggleVote: unavailable('Voting'), addComment: unavailable('Commenting') };
}
