import { describe, expect, it } from 'vitest';
import { parseRetryAfter, retryAfterOf } from '../../src/shared/retry-after';

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-28T12:00:00Z');
  it.each([
    [null, undefined],
    ['', undefined],
    ['0', 0],
    ['120', 120_000],
    [' 7 ', 7_000],
    ['Sat, 28 Nov 2026 12:00:10 GMT', 10_000],
    ['Fri, 27 Nov 2026 12:00:00 GMT', 0],
    ['1.5', undefined],
    ['-3', undefined],
    ['soon', undefined],
  ])('should read %j as %s ms', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});

describe('retryAfterOf', () => {
  it('should read an HTTP-date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    const response = new Response(null, { headers: { 'Retry-After': 'Thu, 01 Jan 2026 00:00:30 GMT' } });
    expect(retryAfterOf(response, now)).toEqual({ retryAfterMs: 30_000 });
  });

  it('should give nothing for garbage or no header', () => {
    expect(retryAfterOf(new Response(null, { headers: { 'Retry-After': 'soon' } }), 0)).toEqual({});
    expect(retryAfterOf(new Response(null), 0)).toEqual({});
  });
});
