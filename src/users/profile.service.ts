/** The public profile `/u/{name}`: a user's submissions, upvotes and comments. */
import type { AppContext } from '../context.js';
import { AppError } from '../domain/errors.js';
import { userByName } from './users.repository.js';
import { submissionsOfUser } from '../submissions/submissions.repository.js';
import { votesOfUser } from '../votes/votes.repository.js';
import { commentsOfUser } from '../comments/comments.repository.js';
import { claimsOfUser } from '../claims/claims.repository.js';

export async function userProfile(ctx: Pick<AppContext, 'store'>, name: string, limit = 50) {
  const u = await userByName(ctx.store.db, name);
  if (!u) throw new AppError('not_found', `There is no user named “${name.slice(0, 40)}”.`);
  const [submissions, upvotes, comments, claims] = await Promise.all([submissionsOfUser(ctx.store.db, u.id, limit), votesOfUser(ctx.store.db, u.id, limit), commentsOfUser(ctx.store.db, u.id, limit), claimsOfUser(ctx.store.db, u.id, limit)]);
  return {
    user: { id: u.id, name: u.name, role: u.role, createdAt: u.created_at, banned: !!u.banned_at, banReason: u.ban_reason, emailVerified: !!u.email_verified_at },
    submissions,
    /** Approved authorship claims: the papers this user wrote. */
    authored: claims.filter((c) => c.status === 'approved'),
    /** Claims a moderator has not decided yet (shown to the user themselves). */
    pendingClaims: claims.filter((c) => c.status === 'pending'),
    upvotes,
    comments,
  };
}
