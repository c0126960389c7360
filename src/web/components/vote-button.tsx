/**
 * The upvote control: a real form (works without JavaScript: POST /vote, then back), which
 * /static/votes.js turns into a no-reload toggle. Signed-out visitors get a link to log in.
 */
import type { WebContext } from '../types.js';

export function VoteButton({ c, paperId, upvotes, voted, back, compact }: { c: WebContext; paperId: string; upvotes: number; voted: boolean; back?: string; compact?: boolean }) {
  const user = c.get('user');
  const label = `${upvotes} ${upvotes === 1 ? 'upvote' : 'upvotes'}`;
  if (!user) {
    return (
      <a class={compact ? 'votes' : 'votes button'} href={`/login?next=${encodeURIComponent(back ?? `/papers/${paperId}`)}`} title="Log in to upvote" aria-label={`${label}. Log in to upvote`}>
        <span aria-hidden="true">▲</span>
        {compact ? null : <span class="vote-label" aria-hidden="true">Upvote</span>}
        <strong class="vote-count">{upvotes}</strong>
      </a>
    );
  }
  return (
    <form method="post" action="/vote" class={compact ? 'votes vote-form' : 'votes vote-form button'} data-vote={paperId}>
      <input type="hidden" name="_csrf" value={c.get('csrf')} />
      <input type="hidden" name="paper" value={paperId} />
      <input type="hidden" name="back" value={back ?? `/papers/${paperId}`} />
      <button type="submit" aria-pressed={voted ? 'true' : 'false'} aria-label={`Upvote: ${label}`} title={voted ? 'Remove your upvote' : 'Upvote'}>
        <span aria-hidden="true">▲</span>
        {compact ? null : <span class="vote-label" aria-hidden="true">{voted ? 'Upvoted' : 'Upvote'}</span>}
        <strong class="vote-count">{upvotes}</strong>
      </button>
    </form>
  );
}
