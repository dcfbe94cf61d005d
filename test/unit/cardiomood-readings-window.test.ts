import { describe, expect, it } from 'vitest';
import { buildDayRecord, emptyDayRecord } from '../../src/cardiomood/day-record';
import { addDays, dateRange } from '../../src/cardiomood/local-date';
import { glanceWindows, historyWindow, intradayWindow, snapshotWindow } from '../../src/cardiomood/readings-window';
import { summarySchema } from '../../src/cardiomood/summary-schema';

describe('snapshotWindow', () => {
  it.each([
    ['2026-11-28', '2026-10-31'],
    ['2027-01-10', '2026-12-13'],
    ['2028-03-15', '2028-02-16'],
  ])('should ask for %s and the 28 days before it, without slots', (today, from) => {
    expect(snapshotWindow(today)).toEqual({ dateFrom: from, dateTo: today, includeSlots: false });
  });
});

describe('historyWindow', () => {
  it.each([
    [7, '2026-11-22'],
    [30, '2026-10-30'],
    [90, '2026-08-31'],
    [1, '2026-11-28'],
  ])('should cover %i days ending today', (days, from) => {
    expect(historyWindow('2026-11-28', days)).toEqual({ dateFrom: from, dateTo: '2026-11-28', includeSlots: false });
  });

  it.each([0, -7, 2.5])('should throw on %d days (a bug in the caller)', (days) => {
    expect(() => historyWindow('2026-11-28', days)).toThrow(RangeError);
  });
});

describe('intradayWindow', () => {
  it('should ask for that one day with slots', () => {
    expect(intradayWindow('2026-11-28')).toEqual({ dateFrom: '2026-11-28', dateTo: '2026-11-28', includeSlots: true });
  });
});

describe('glanceWindows', () => {
  const TODAY = '2026-11-28';
  const FROM = addDays(TODAY, -28);
  const record = (date: string, fetchedOn: string, slots: boolean) =>
    buildDayRecord(summarySchema.parse({ date, activity: { total_steps: 10, ...(slots ? { slots: [] } : {}) } }), { fetchedOn });
  /** Every day of the window held, with profile, fetched today (so all but yesterday are settled). */
  const full = dateRange(FROM, addDays(TODAY, -1)).map((date) => record(date, TODAY, true));

  it('should ask for the whole window with slots the first time', () => {
    expect(glanceWindows([], TODAY)).toEqual([{ dateFrom: FROM, dateTo: TODAY, includeSlots: true }]);
  });

  it('should ask only for today with slots, and yesterday without, once the window is held', () => {
    expect(glanceWindows(full, TODAY)).toEqual([
      { dateFrom: TODAY, dateTo: TODAY, includeSlots: true },
      { dateFrom: addDays(TODAY, -1), dateTo: addDays(TODAY, -1), includeSlots: false },
    ]);
  });

  it('should ask with slots for days missing, fetched while they ran, or with data but no profile, in runs', () => {
    const records = full
      .filter((r) => r.date !== '2026-11-10' && r.date !== '2026-11-11')
      .map((r) => (r.date === '2026-11-20' ? record(r.date, TODAY, false) : r))
      .map((r) => (r.date === addDays(TODAY, -1) ? record(r.date, r.date, true) : r))
      // A settled day CardioMood had nothing for is not asked again.
      .map((r) => (r.date === '2026-11-05' ? emptyDayRecord(r.date, TODAY) : r));
    expect(glanceWindows(records, TODAY)).toEqual([
      { dateFrom: '2026-11-10', dateTo: '2026-11-11', includeSlots: true },
      { dateFrom: '2026-11-20', dateTo: '2026-11-20', includeSlots: true },
      { dateFrom: addDays(TODAY, -1), dateTo: TODAY, includeSlots: true },
    ]);
  });
});
