/** Use cases behind the daily, weekly and monthly pages (and the daily_papers API). */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { AppError } from '../domain/errors.js';
import { addDays, isValidDate, isoWeekOf, monthRange, toDate, weekRange } from '../domain/dates.js';
import { countDaily, latestDailyDate, listDaily, neighbourDates, type DailyItem } from './daily.repository.js';

export type PeriodKind = 'day' | 'week' | 'month';

export interface Period {
  kind: PeriodKind;
  key: string; // YYYY-MM-DD | YYYY-Www | YYYY-MM
  from: string;
  to: string;
}

/** Validate a period key; a bad one is a readable user error. */
export function parsePeriod(kind: PeriodKind, key: string): Period {
  if (kind === 'day') {
    if (!isValidDate(key)) throw new AppError('bad_request', `“${key}” is not a date: use YYYY-MM-DD, for example 2025-06-02.`);
    return { kind, key, from: key, to: key };
  }
  if (kind === 'week') {
    const r = weekRange(key);
    if (!r) throw new AppError('bad_request', `“${key}” is not an ISO week: use YYYY-Www, for example 2025-W23.`);
    return { kind, key, ...r };
  }
  const r = monthRange(key);
  if (!r) throw new AppError('bad_request', `“${key}” is not a month: use YYYY-MM, for example 2025-06.`);
  return { kind, key, ...r };
}

export function periodOf(kind: PeriodKind, date: string): string {
  return kind === 'day' ? date : kind === 'week' ? isoWeekOf(date) : date.slice(0, 7);
}

export interface DailyView {
  period: Period;
  items: DailyItem[];
  total: number;
  page: number;
  pageSize: number;
  prev: string | null; // period key of the nearest earlier period with papers
  next: string | null;
}

export async function getDailyView(db: Kysely<Database>, period: Period, page = 0, pageSize = 50): Promise<DailyView> {
  const [items, total, n] = await Promise.all([
    listDaily(db, period.from, period.to, { limit: pageSize, offset: page * pageSize }),
    countDaily(db, period.from, period.to),
    neighbourDates(db, period.from, period.to),
  ]);
  return {
    period,
    items,
    total,
    page,
    pageSize,
    prev: n.prev ? periodOf(period.kind, n.prev) : null,
    next: n.next ? periodOf(period.kind, n.next) : null,
  };
}

/** Home: today's papers, or on a day with none (weekends) the latest day that has some. */
export async function getHomeView(db: Kysely<Database>, now: Date): Promise<DailyView & { isToday: boolean }> {
  const today = toDate(now);
  const latest = (await latestDailyDate(db, today)) ?? (await latestDailyDate(db, addDays(today, 36500)));
  const date = latest ?? today;
  const view = await getDailyView(db, parsePeriod('day', date));
  return { ...view, isToday: date === today };
}
