import { describe, expect, it, vi } from 'vitest';
import { createCardioMoodApi, type AuthorizedFetch } from '../../src/cardiomood/cardiomood-api';
import { ok } from '../../src/shared/error-codes';
import { flatPage, json, rawDays, rawSummary } from './cardiomood-fixtures';

const query = { dateFrom: '2026-11-01', dateTo: '2026-11-28', includeSlots: false };

/** Serves `days` in pages of `perPage` (the server's cap), like a Laravel paginator. */
function pagingServer(days: Record<string, unknown>[], perPage: number) {
  const calls: URL[] = [];
  const authorizedFetch = vi.fn<AuthorizedFetch>(async (url) => {
    const parsed = new URL(url);
    calls.push(parsed);
    const page = Math.max(1, Number(parsed.searchParams.get('page')));
    const lastPage = Math.max(1, Math.ceil(days.length / perPage));
    return ok(json(200, flatPage(days.slice((page - 1) * perPage, page * perPage), page, lastPage, perPage)));
  });
  return { api: createCardioMoodApi({ baseUrl: 'http://api.test', authorizedFetch }), calls };
}

const answering = (response: Response | (() => Response)) =>
  createCardioMoodApi({
    baseUrl: 'http://api.test',
    authorizedFetch: async () => ok(typeof response === 'function' ? response() : response),
  });

describe('createCardioMoodApi', () => {
  it('should follow every page when the server caps per_page lower than asked', async () => {
    const { api, calls } = pagingServer(rawDays('2026-11-28', 28), 10);
    const result = await api.fetchSummaries(query);
    expect(result.ok && result.value.map((s) => s.date)).toEqual(rawDays('2026-11-28', 28).map((d) => d.date));
    expect(calls.map((url) => url.searchParams.get('page'))).toEqual(['1', '2', '3']);
    expect(calls[0]!.searchParams.get('per_page')).toBe('100');
    expect(calls[0]!.searchParams.get('include_slots')).toBe('0');
    expect(calls[0]!.searchParams.get('date_from')).toBe('2026-11-01');
  });

  it('should read the API-resource envelope ({data, links, meta})', async () => {
    const api = answering(json(200, { data: rawDays('2026-11-28', 3), links: {}, meta: { current_page: 1, last_page: 1 } }));
    const result = await api.fetchSummaries(query);
    expect(result.ok && result.value).toHaveLength(3);
  });

  it('should stop on a short page when the envelope says nothing about pages', async () => {
    const { api, calls } = pagingServer([], 10);
    const result = await api.fetchSummaries(query);
    expect(result).toEqual({ ok: true, value: [] });
    expect(calls).toHaveLength(1);
  });

  it('should refuse an envelope that keeps announcing more pages', async () => {
    const liar = vi.fn<AuthorizedFetch>(async () => ok(json(200, { ...flatPage([rawSummary('2026-11-28')], 1, 999, 1) })));
    const api = createCardioMoodApi({ baseUrl: 'http://api.test', authorizedFetch: liar });
    const result = await api.fetchSummaries(query);
    expect(!result.ok && result.error.code).toBe('MALFORMED_RESPONSE');
    expect(liar.mock.calls.length).toBeLessThanOrEqual(30);
  });

  it('should sort ascending, de-duplicate days and drop days outside the range', async () => {
    const api = answering(
      json(200, { data: [rawSummary('2026-11-03', 1), rawSummary('2026-11-02'), rawSummary('2026-11-03', 2), rawSummary('2026-10-01')] }),
    );
    const result = await api.fetchSummaries(query);
    expect(result.ok && result.value.map((s) => [s.date, s.activity?.total_steps])).toEqual([
      ['2026-11-02', 8000],
      ['2026-11-03', 8200],
    ]);
  });

  it.each([
    ['401', () => json(401, { error: 'Unauthenticated.' }), 'REAUTH_REQUIRED'],
    ['429', () => json(429, '', { 'Retry-After': '12' }), 'RATE_LIMITED'],
    ['500', () => new Response('<html>oops</html>', { status: 500 }), 'SERVER_ERROR'],
    ['422', () => json(422, { message: 'The given data was invalid.', errors: {} }), 'MALFORMED_RESPONSE'],
    ['a non-JSON 200', () => new Response('<html>', { status: 200 }), 'MALFORMED_RESPONSE'],
    ['a 200 without data', () => json(200, { items: [] }), 'MALFORMED_RESPONSE'],
    ['a page of days without dates', () => json(200, { data: [{ day: 'x' }] }), 'MALFORMED_RESPONSE'],
  ])('should map %s to its code', async (_name, response, code) => {
    const result = await answering(response).fetchSummaries(query);
    expect(!result.ok && result.error.code).toBe(code);
  });

  it('should carry Retry-After on 429', async () => {
    const result = await answering(json(429, '', { 'Retry-After': '12' })).fetchSummaries(query);
    expect(!result.ok && result.error.retryAfterMs).toBe(12_000);
  });

  it('should pass through failures of the authorized fetch unchanged', async () => {
    const api = createCardioMoodApi({
      baseUrl: 'http://api.test',
      authorizedFetch: async () => ({ ok: false, error: { code: 'NETWORK_ERROR', message: 'down' } }),
    });
    expect(await api.fetchSummaries(query)).toEqual({ ok: false, error: { code: 'NETWORK_ERROR', message: 'down' } });
  });
});
