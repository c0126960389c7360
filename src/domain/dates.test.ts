import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isoWeekOf, weekRange, monthRange, isValidDate, addMonths, addWeeks } from './dates.js';

test('ISO weeks match the calendar, including year boundaries', () => {
  assert.equal(isoWeekOf('2026-01-01'), '2026-W01'); // a Thursday
  assert.equal(isoWeekOf('2024-12-30'), '2025-W01');
  assert.equal(isoWeekOf('2021-01-03'), '2020-W53');
  assert.deepEqual(weekRange('2025-W01'), { from: '2024-12-30', to: '2025-01-05' });
  assert.deepEqual(weekRange('2020-W53'), { from: '2020-12-28', to: '2021-01-03' });
  assert.equal(weekRange('2025-W53'), null, '2025 has 52 ISO weeks');
  assert.equal(weekRange('2025-W00'), null);
  assert.equal(addWeeks('2025-W52', 1), '2026-W01');
});

test('months and dates are validated', () => {
  assert.deepEqual(monthRange('2024-02'), { from: '2024-02-01', to: '2024-02-29' });
  assert.equal(monthRange('2024-13'), null);
  assert.equal(addMonths('2025-12', 1), '2026-01');
  assert.equal(isValidDate('2025-02-29'), false);
  assert.equal(isValidDate('2024-02-29'), true);
  assert.equal(isValidDate('2024-2-9'), false);
});
