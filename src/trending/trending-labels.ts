/**
 * What a trending list is called, in one place for every rendering (the page, the digest email):
 * "today" only when its papers entered trending today. Pure.
 */
import type { TrendingWindow } from '../domain/trending.js';

export type TrendingView = TrendingWindow | 'all';

const TITLE: Record<TrendingView, string> = {
  day: 'Trending papers today',
  week: 'Trending papers this week',
  month: 'Trending papers this month',
  all: 'Trending papers of all time',
};
const UNIT: Record<TrendingWindow, string> = { day: 'day', week: 'week', month: 'month' };

export interface TrendingHeadline {
  title: string;
  /** Why the list is not what the window's name says (no papers in it), or null. */
  note: string | null;
  /** True when the list's papers are older than its window. */
  stale: boolean;
}

/**
 * The headline of a list for `view` whose newest paper entered trending at `latest`.
 * `shown` says what the list shows instead when the window is empty: the site falls back to the
 * latest window with papers; a digest shows the papers new to its reader.
 */
export function trendingHeadline(view: TrendingView, o: { stale: boolean; latest?: string | null; shown?: 'latest-window' | 'new-to-you' }): TrendingHeadline {
  if (view === 'all' || !o.stale) return { title: TITLE[view], note: null, stale: false };
  const unit = UNIT[view];
  const day = o.latest ? o.latest.slice(0, 10) : null;
  const instead =
    o.shown === 'new-to-you'
      ? `showing the papers new since your last digest${day ? `; the newest entered trending on ${day}` : ''}`
      : `showing the latest ${unit} with papers${day ? `, ending ${day}` : ''}`;
  return { title: 'Trending papers', note: `No papers in the last ${unit} — ${instead}.`, stale: true };
}
