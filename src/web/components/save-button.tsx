/**
 * Save to library: a real form (POST /library/save, then back) that works without JavaScript;
 * /static/library.js sends it with fetch and flips the state in place. Signed-out visitors get a
 * link to log in, the same for everyone, so cached pages can hold it.
 */
import type { WebContext } from '../types.js';
import { savedAmong } from '../../library/library.service.js';

export function SaveButton({ c, paperId, saved, back, compact }: { c: WebContext; paperId: string; saved: boolean; back?: string; compact?: boolean }) {
  const here = back ?? `/papers/${paperId}`;
  if (!c.get('user')) {
    return (
      <a class={compact ? 'save-link' : 'button save-link'} href={`/login?next=${encodeURIComponent(here)}`} title="Log in to save papers to your library">
        ☆ Save
      </a>
    );
  }
  return (
    <form method="post" action="/library/save" class={compact ? 'save-form compact' : 'save-form'} data-save={paperId}>
      <input type="hidden" name="_csrf" value={c.get('csrf')} />
      <input type="hidden" name="paper" value={paperId} />
      <input type="hidden" name="want" value={saved ? 'off' : 'on'} />
      <input type="hidden" name="back" value={here} />
      <button type="submit" class={compact ? 'save-button' : 'button save-button'} aria-pressed={saved ? 'true' : 'false'} title={saved ? 'Remove from your library' : 'Save to your library'}>
        <span class="save-label">{saved ? '★ Saved' : '☆ Save'}</span>
      </button>
    </form>
  );
}

/** Which listed papers the signed-in user has saved (anonymous visitors: none, so lists cache). */
export async function savedIn(c: WebContext, ids: string[]): Promise<Set<string>> {
  const user = c.get('user');
  return user ? savedAmong(c.get('ctx').store.db, user.id, ids) : new Set();
}
