import { afterEach, describe, expect, it } from 'vitest';
import { addDays, dateRange, daysBetween, isCalendarDate, localIsoDate } from '../../src/shared/local-date';

const originalTz = process.env.TZ;
/** Runs with the process in `tz`, so any arithmetic on local times would show its DST bugs. */
function inZone<T>(tz: string, run: () => T): T {
  process.env.TZ = tz;
  try {
    return run();
  } finally {
    if (originalTz === undefined) delete process.env.TZ;
    else process.env.TZ = originalTz;
  }
}
afterEach(() => {
  if (originalTz === undefined) delete process.env.TZ;
  else process.env.TZ = originalTz;
});

describe('addDays', () => {
  it.each([
    ['2026-03-01', -1, '2026-02-28'],
    ['2024-03-01', -1, '2024-02-29'],
    ['2024-02-28', 1, '2024-02-29'],
    ['2100-02-28', 1, '2100-03-01'],
    ['2000-02-28', 1, '2000-02-29'],
    ['2026-12-31', 1, '2027-01-01'],
    ['2027-01-01', -1, '2026-12-31'],
    ['2026-01-31', 1, '2026-02-01'],
    ['2026-04-30', 1, '2026-05-01'],
    ['2026-11-28', -28, '2026-10-31'],
    ['2026-11-28', -89, '2026-08-31'],
    ['2026-11-28', 0, '2026-11-28'],
    ['2026-12-15', 365, '2027-12-15'],
  ])('addDays(%s, %i) should be %s', (date, days, expected) => {
    expect(addDays(date, days)).toBe(expected);
  });

  it.each([
    ['Europe/Berlin', '2026-03-28', '2026-03-29', '2026-03-30'],
    ['Europe/Berlin', '2026-10-24', '2026-10-25', '2026-10-26'],
    ['America/New_York', '2026-03-07', '2026-03-08', '2026-03-09'],
    ['America/New_York', '2026-10-31', '2026-11-01', '2026-11-02'],
    // São Paulo's 2018 DST began at midnight: 2018-11-04 00:00 did not exist locally.
    ['America/Sao_Paulo', '2018-11-03', '2018-11-04', '2018-11-05'],
    ['Australia/Lord_Howe', '2026-04-04', '2026-04-05', '2026-04-06'],
  ])('should step one calendar day at a time across the DST change in %s', (tz, before, change, after) => {
    inZone(tz, () => {
      expect(addDays(before, 1)).toBe(change);
      expect(addDays(change, 1)).toBe(after);
      expect(addDays(after, -2)).toBe(before);
      expect(dateRange(before, after)).toEqual([before, change, after]);
    });
  });

  it('should walk a whole year day by day in a DST zone without skipping or repeating a day', () => {
    inZone('America/Sao_Paulo', () => {
      const days = dateRange('2018-01-01', '2018-12-31');
      expect(days).toHaveLength(365);
      expect(new Set(days).size).toBe(365);
      days.slice(1).forEach((day, i) => expect(addDays(days[i]!, 1)).toBe(day));
    });
  });

  it.each([['2026-02-30'], ['28.11.2026'], ['']])('should throw on the malformed date %j (a bug in the caller)', (date) => {
    expect(() => addDays(date, 1)).toThrow(RangeError);
  });

  it('should throw on a fractional number of days', () => {
    expect(() => addDays('2026-11-28', 0.5)).toThrow(RangeError);
  });
});

describe('dateRange', () => {
  it('should include both ends, ascending, across a year end', () => {
    expect(dateRange('2026-12-30', '2027-01-02')).toEqual(['2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02']);
  });

  it('should be one day when from equals to, and empty when to is earlier', () => {
    expect(dateRange('2026-11-28', '2026-11-28')).toEqual(['2026-11-28']);
    expect(dateRange('2026-11-28', '2026-11-27')).toEqual([]);
  });

  it('should include February 29th in a leap year', () => {
    expect(dateRange('2028-02-27', '2028-03-01')).toEqual(['2028-02-27', '2028-02-28', '2028-02-29', '2028-03-01']);
  });
});

describe('daysBetween', () => {
  it.each([
    ['2026-11-28', '2026-11-28', 0],
    ['2026-10-31', '2026-11-28', 28],
    ['2026-11-28', '2026-10-31', -28],
    ['2026-01-01', '2027-01-01', 365],
    ['2028-01-01', '2029-01-01', 366],
  ])('daysBetween(%s, %s) should be %i', (from, to, expected) => {
    inZone('Europe/Berlin', () => expect(daysBetween(from, to)).toBe(expected));
  });
});

describe('isCalendarDate', () => {
  it.each([
    ['2026-11-28', true],
    ['2028-02-29', true],
    ['2026-02-29', false],
    ['2026-13-01', false],
    ['2026-00-10', false],
    ['2026-11-31', false],
    ['2026-1-1', false],
    ['2026-11-28T00:00:00Z', false],
    ['', false],
  ])('%j should be %s', (date, expected) => {
    expect(isCalendarDate(date)).toBe(expected);
  });
});

describe('localIsoDate', () => {
  it.each([
    ['2026-11-28T23:30:00Z', 'Europe/Berlin', '2026-11-29'],
    ['2026-11-28T23:30:00Z', 'America/New_York', '2026-11-28'],
    ['2026-11-28T04:30:00Z', 'America/New_York', '2026-11-27'],
    ['2026-11-28T10:30:00Z', 'Pacific/Kiritimati', '2026-11-29'],
    ['2026-11-28T10:30:00Z', 'Pacific/Pago_Pago', '2026-11-27'],
    ['2026-12-31T23:00:00Z', 'Asia/Tokyo', '2027-01-01'],
    ['2027-01-01T02:00:00Z', 'America/Los_Angeles', '2026-12-31'],
    ['2026-03-29T00:30:00Z', 'Europe/Berlin', '2026-03-29'],
    ['2026-03-29T01:30:00Z', 'Europe/Berlin', '2026-03-29'],
    ['2026-10-25T22:30:00Z', 'Europe/Berlin', '2026-10-25'],
    ['2026-10-25T23:30:00Z', 'Europe/Berlin', '2026-10-26'],
    ['2018-11-04T02:59:00Z', 'America/Sao_Paulo', '2018-11-03'],
    ['2018-11-04T03:00:00Z', 'America/Sao_Paulo', '2018-11-04'],
    ['2026-11-28T12:00:00Z', 'UTC', '2026-11-28'],
  ])('at %s in %s should be %s', (instant, tz, expected) => {
    expect(inZone(tz, () => localIsoDate(Date.parse(instant)))).toBe(expected);
  });

  it('should pad a year before 1000 to four digits', () => {
    expect(inZone('UTC', () => localIsoDate(Date.UTC(999, 0, 5, 12)))).toBe('0999-01-05');
  });

  it.each([
    // 00:30 on the day after Berlin's 23-hour day: 24 hours back would land two days back.
    ['2026-03-29T22:30:00Z', 'Europe/Berlin', -1, '2026-03-29'],
    ['2026-10-25T23:30:00Z', 'Europe/Berlin', -1, '2026-10-25'],
    ['2026-12-31T15:30:00Z', 'Asia/Tokyo', -1, '2026-12-31'],
    ['2026-12-31T15:30:00Z', 'Asia/Tokyo', 1, '2027-01-02'],
    // São Paulo's clocks jumped from 00:00 to 01:00 on 2018-11-04: that day has no 00:30.
    ['2018-11-05T02:30:00Z', 'America/Sao_Paulo', -1, '2018-11-04'],
    ['2026-03-01T12:00:00Z', 'UTC', -1, '2026-02-28'],
  ])('at %s in %s moved by %i days should be %s', (instant, tz, offset, expected) => {
    expect(inZone(tz, () => localIsoDate(Date.parse(instant), offset))).toBe(expected);
  });

  it.each([['Europe/Berlin'], ['America/Sao_Paulo'], ['Australia/Lord_Howe']])(
    'should agree with addDays on the day before and after every half hour of a year in %s',
    (tz) => {
      const wrong = inZone(tz, () => {
        const found: string[] = [];
        for (let t = Date.UTC(2018, 0, 1); t < Date.UTC(2019, 0, 1); t += 30 * 60_000) {
          const day = localIsoDate(t);
          if (localIsoDate(t, -1) !== addDays(day, -1) || localIsoDate(t, 1) !== addDays(day, 1)) found.push(new Date(t).toISOString());
        }
        return found;
      });
      expect(wrong).toEqual([]);
    },
  );
});
