import { describe, expect, it } from 'vitest';
import {
  backoffMs,
  expirySkewMs,
  FRESH_FOR_MS,
  isExpired,
  KEEP_ALIVE_MS,
  keepAliveAt,
  nextRetryDelayMs,
  POLL_BASE_MS,
  POLL_MAX_MS,
  pollIntervalMs,
} from '../../src/shared/policy';

const MINUTE = 60_000;

describe('FRESH_FOR_MS', () => {
  it('should let a glance checked two minutes ago be shown without asking again', () => {
    expect(FRESH_FOR_MS).toBe(2 * MINUTE);
  });
});

describe('pollIntervalMs', () => {
  it.each([
    [0, 30],
    [1, 60],
    [2, 120],
    [3, 240],
    [4, 240],
    [50, 240],
    [-1, 30],
  ])('should wait %i unchanged polls → %i minutes', (unchanged, minutes) => {
    expect(pollIntervalMs(unchanged)).toBe(minutes * MINUTE);
  });

  it('should start at the alarm period and stop at four hours', () => {
    expect([POLL_BASE_MS, POLL_MAX_MS]).toEqual([30 * MINUTE, 240 * MINUTE]);
  });
});

describe('backoffMs', () => {
  it.each([
    [0, 30_000],
    [1, 60_000],
    [2, 120_000],
    [4, 480_000],
    [5, 900_000],
    [20, 900_000],
    [-3, 30_000],
  ])('should wait after %i failures %i ms (doubling from 30 s, at most 15 min)', (attempt, ms) => {
    expect(backoffMs(attempt)).toBe(ms);
  });
});

describe('nextRetryDelayMs', () => {
  it.each([
    [0, undefined, 30_000],
    [0, 120_000, 120_000],
    [5, 60_000, 900_000],
    [2, 0, 120_000],
  ])('should take the later of the backoff (%i failures) and Retry-After %s → %i ms', (attempt, retryAfter, ms) => {
    expect(nextRetryDelayMs(attempt, retryAfter)).toBe(ms);
  });
});

describe('isExpired', () => {
  it.each([
    [3_600_000, 3_569_999, false],
    [3_600_000, 3_570_000, true],
    [10_000, 8_999, false],
    [10_000, 9_000, true],
  ])('should apply a skew of a tenth of the lifetime (at most 30 s): lifetime %i, age %i → %s', (lifetime, age, expired) => {
    expect(isExpired({ issuedAt: 0, expiresAt: lifetime }, age)).toBe(expired);
  });

  it('should never expire a token whose lifetime the server did not say', () => {
    expect(isExpired({ issuedAt: 0, expiresAt: null }, Number.MAX_SAFE_INTEGER)).toBe(false);
    expect(expirySkewMs({ issuedAt: 0, expiresAt: null })).toBe(0);
  });
});

describe('keepAliveAt', () => {
  it('should renew a day after the last renewal, whatever the access token lifetime', () => {
    expect(KEEP_ALIVE_MS).toBe(24 * 60 * MINUTE);
    expect(keepAliveAt({ issuedAt: 1000, expiresAt: 1000 + 3_600_000 })).toBe(1000 + KEEP_ALIVE_MS);
    expect(keepAliveAt({ issuedAt: 1000, expiresAt: null })).toBe(1000 + KEEP_ALIVE_MS);
  });
});
