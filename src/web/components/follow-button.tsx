/**
 * Follow an author, a category or a search: a plain form (POST /follow, then back). Signed-out
 * visitors get a link to log in (the same for everyone, so cached fragments can hold it).
 */
import type { WebContext } from '../types.js';

export function FollowButton({ c, kind, value, following, back, label }: { c: WebContext; kind: 'author' | 'category' | 'query'; value: string; following: boolean; back: string; label: string }) {
  if (!c.get('user')) {
    return (
      <a class="follow-link" href={`/login?next=${encodeURIComponent(back)}`} title="Log in to follow">
        + Follow {label}
      </a>
    );
  }
  return (
    <form method="post" action="/follow" class="follow-form">
      <input type="hidden" name="_csrf" value={c.get('csrf')} />
      <input type="hidden" name="kind" value={kind} />
      <input type="hidden" name="value" value={value} />
      <input type="hidden" name="want" value={following ? 'off' : 'on'} />
      <input type="hidden" name="back" value={back} />
      <button type="submit" class="follow-button" aria-pressed={following ? 'true' : 'false'}>
        {following ? `✓ Following ${label}` : `+ Follow ${label}`}
      </button>
    </form>
  );
}
