import { describe, expect, it } from 'vitest';
import { historyWindow, intradayWindow, snapshotWindow } from '../../src/cardiomood/readings-window';

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
