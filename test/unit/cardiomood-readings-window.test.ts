import { describe, expect, it } from 'vitest';
import { buildDayRecord, emptyDayRecord } from '../../src/cardiomood/day-record';
import { addDays, dateRange } from '../../src/shared/local-date';
import { glanceWindows, historyWindow, intradayWindow, windowsFor } from '../../src/cardiomood/readings-window';
import { summarySchema } from '../../src/cardiomood/summary-schema';

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

  it('should ask for yesterday and today in one request with slots once the window is held', () => {
    expect(glanceWindows(full, TODAY)).toEqual([{ dateFrom: addDays(TODAY, -1), dateTo: TODAY, includeSlots: true }]);
  });

  it('should ask in one request on the first day after the last fetch: the two unsettled days next to it come along', () => {
    // Held from yesterday's last fetch: yesterday ran then, the day before was not settled yet.
    const fromYesterday = dateRange(FROM, addDays(TODAY, -1)).map((date) => record(date, addDays(TODAY, -1), true));
    expect(glanceWindows(fromYesterday, TODAY)).toEqual([{ dateFrom: addDays(TODAY, -2), dateTo: TODAY, includeSlots: true }]);
  });

  it('should ask without slots for an unsettled day that no day needing slots sits next to', () => {
    const records = full.map((r) => (r.date === '2026-11-15' ? record(r.date, '2026-11-16', true) : r));
    expect(glanceWindows(records, TODAY)).toEqual([
      { dateFrom: '2026-11-15', dateTo: '2026-11-15', includeSlots: false },
      { dateFrom: addDays(TODAY, -1), dateTo: TODAY, includeSlots: true },
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

describe('windowsFor', () => {
  it('should make one window per run of consecutive days, with slots when any day of the run needs them', () => {
    expect(
      windowsFor([
        { date: '2026-11-01', slots: false },
        { date: '2026-11-02', slots: false },
        { date: '2026-11-04', slots: false },
        { date: '2026-11-05', slots: true },
        { date: '2026-11-06', slots: false },
      ]),
    ).toEqual([
      { dateFrom: '2026-11-01', dateTo: '2026-11-02', includeSlots: false },
      { dateFrom: '2026-11-04', dateTo: '2026-11-06', includeSlots: true },
    ]);
  });

  it('should make no window for no dates', () => {
    expect(windowsFor([])).toEqual([]);
  });
});
