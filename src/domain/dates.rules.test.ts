// Calendar rules as the daily, weekly and monthly pages use them: every edge on both sides.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isValidDate, toDate, addDays, isoWeekOf, weekRange, monthRange, addMonths, addWeeks, formatLongDate, formatMonth } from './dates.js';

test('a date is YYYY-MM-DD naming a real day', () => {
  for (const good of ['2024-02-29', '2024-12-31', '2025-01-01', '1999-04-30']) assert.equal(isValidDate(good), true, good);
  for (const bad of ['2023-02-29', '2024-04-31', '2024-13-01', '2024-00-10', '2024-01-00', '2024-01-32', '2024-1-01', 'x2024-01-01', '2024-01-01x', '2024-01-01T00:00', '', 'yesterday']) {
    assert.equal(isValidDate(bad), false, bad);
  }
});

test('days are added across months, years and leap days', () => {
  assert.equal(toDate(new Date(Date.UTC(2024, 1, 29, 23, 59))), '2024-02-29');
  assert.equal(addDays('2024-02-28', 1), '2024-02-29');
  assert.equal(addDays('2023-02-28', 1), '2023-03-01');
  assert.equal(addDays('2024-12-31', 1), '2025-01-01');
  assert.equal(addDays('2025-01-01', -1), '2024-12-31');
  assert.equal(addDays('2025-03-10', 0), '2025-03-10');
  assert.equal(addDays('2025-03-10', 14), '2025-03-24');
});

test('ISO weeks: Monday starts one, Sunday ends it, the Thursday names its year', () => {
  assert.equal(isoWeekOf('2025-06-02'), '2025-W23'); // Monday
  assert.equal(isoWeekOf('2025-06-08'), '2025-W23'); // Sunday
  assert.equal(isoWeekOf('2025-06-09'), '2025-W24'); // next Monday
  assert.equal(isoWeekOf('2025-06-01'), '2025-W22'); // previous Sunday
  assert.equal(isoWeekOf('2025-12-28'), '2025-W52');
  assert.equal(isoWeekOf('2025-12-29'), '2026-W01');
  assert.equal(isoWeekOf('2027-01-03'), '2026-W53');
  assert.equal(isoWeekOf('2027-01-04'), '2027-W01');
  assert.equal(isoWeekOf('2025-03-05'), '2025-W10');
});

test('a week runs Monday to Sunday; weeks 1 to 53 exist only when the calendar has them', () => {
  assert.deepEqual(weekRange('2025-W23'), { from: '2025-06-02', to: '2025-06-08' });
  assert.deepEqual(weekRange('2025-W52'), { from: '2025-12-22', to: '2025-12-28' });
  assert.deepEqual(weekRange('2026-W53'), { from: '2026-12-28', to: '2027-01-03' });
  assert.deepEqual(weekRange('2026-W01'), { from: '2025-12-29', to: '2026-01-04' });
  assert.deepEqual(weekRange('2024-W01'), { from: '2024-01-01', to: '2024-01-07' }); // 1 January is a Monday
  assert.deepEqual(weekRange('2023-W01'), { from: '2023-01-02', to: '2023-01-08' }); // 4 January is a Wednesday
  assert.deepEqual(weekRange('2022-W01'), { from: '2022-01-03', to: '2022-01-09' }); // 4 January is a Tuesday
  assert.deepEqual(weekRange('2026-W02'), { from: '2026-01-05', to: '2026-01-11' }); // 4 January is a Sunday
  for (const bad of ['2025-W54', '2025-W99', '2025-W00', '2025-W1', '2025-W001', '2025W01', 'x2025-W01', '2025-W01x', '2025-w01']) {
    assert.equal(weekRange(bad), null, bad);
  }
});

test('weeks are added across years, including week 53', () => {
  assert.equal(addWeeks('2026-W52', 1), '2026-W53');
  assert.equal(addWeeks('2026-W53', 1), '2027-W01');
  assert.equal(addWeeks('2027-W01', -1), '2026-W53');
  assert.equal(addWeeks('2025-W10', 0), '2025-W10');
  assert.equal(addWeeks('2025-W10', 3), '2025-W13');
});

test('a month is YYYY-MM from 1990 to 2999, with its real last day', () => {
  assert.deepEqual(monthRange('1990-01'), { from: '1990-01-01', to: '1990-01-31' });
  assert.deepEqual(monthRange('2999-12'), { from: '2999-12-01', to: '2999-12-31' });
  assert.deepEqual(monthRange('2023-02'), { from: '2023-02-01', to: '2023-02-28' });
  assert.deepEqual(monthRange('2024-04'), { from: '2024-04-01', to: '2024-04-30' });
  for (const bad of ['1989-12', '3000-01', '2024-00', '2024-13', '2024-1', '2024-001', 'x2024-01', '2024-01x', '2024']) {
    assert.equal(monthRange(bad), null, bad);
  }
});

test('months are added across years, both ways', () => {
  assert.equal(addMonths('2025-01', -1), '2024-12');
  assert.equal(addMonths('2025-01', 0), '2025-01');
  assert.equal(addMonths('2025-01', 13), '2026-02');
  assert.equal(addMonths('2025-03', 1), '2025-04');
});

test('dates and months are written out in English, whatever the locale', () => {
  assert.equal(formatLongDate('2025-06-05'), 'Thursday, 5 June 2025');
  assert.equal(formatLongDate('2025-06-01'), 'Sunday, 1 June 2025');
  assert.equal(formatLongDate('2025-06-07'), 'Saturday, 7 June 2025');
  assert.equal(formatLongDate('2024-12-31'), 'Tuesday, 31 December 2024');
  assert.equal(formatLongDate('2025-01-13'), 'Monday, 13 January 2025');
  assert.equal(formatLongDate('2025-02-12'), 'Wednesday, 12 February 2025');
  assert.equal(formatLongDate('2025-03-14'), 'Friday, 14 March 2025');
  const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
  months.forEach((name, i) => assert.equal(formatMonth(`2025-${String(i + 1).padStart(2, '0')}`), `${name} 2025`));
});
