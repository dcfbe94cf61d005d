import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  createCardioMoodApi,
  hasNextPage,
  lastPageOf,
  PAGE_CONCURRENCY,
  processUserSummariesResponse,
  REQUESTED_PER_PAGE,
  type AuthorizedFetch,
  type SummariesQuery,
} from '../../src/cardiomood/cardiomood-api';
import { addDays, dateRange } from '../../src/shared/local-date';
import { err, ok } from '../../src/shared/error-codes';
import { flatPage, json, rawDays, rawSummary, resourcePage } from './cardiomood-fixtures';

const TO = '2026-11-28';
const query = (days: number, extra: Partial<SummariesQuery> = {}): SummariesQuery => ({
  dateFrom: addDays(TO, -(days - 1)),
  dateTo: TO,
  includeSlots: false,
  ...extra,
});

type Shape = 'flat' | 'resource' | 'bare';

/**
 * A Laravel-like /user-summaries: filters by date, serves `cap` items per page whatever per_page asks
 * (a server-side cap), in the given envelope shape. Records every request.
 */
function laravel(days: Record<string, unknown>[], options: { cap?: number; shape?: Shape } = {}) {
  const { shape = 'flat' } = options;
  const requests: { url: URL; init: RequestInit | undefined }[] = [];
  const authorizedFetch = vi.fn<AuthorizedFetch>(async (url, init) => {
    const parsed = new URL(url);
    requests.push({ url: parsed, init });
    const from = parsed.searchParams.get('date_from')!;
    const to = parsed.searchParams.get('date_to')!;
    const asked = Number(parsed.searchParams.get('per_page'));
    const perPage = Math.min(asked, options.cap ?? asked);
    const inRange = days.filter((d) => (d.date as string) >= from && (d.date as string) <= to);
    const page = Math.max(1, Number(parsed.searchParams.get('page')));
    const lastPage = Math.max(1, Math.ceil(inRange.length / perPage));
    const data = inRange.slice((page - 1) * perPage, page * perPage);
    const body =
      shape === 'flat' ? flatPage(data, page, lastPage, perPage) : shape === 'resource' ? resourcePage(data, page, lastPage, perPage) : { data };
    return ok(json(200, body));
  });
  const api = createCardioMoodApi({ baseUrl: 'https://api.test', authorizedFetch });
  return { api, requests, authorizedFetch, pages: () => requests.map((r) => r.url.searchParams.get('page')) };
}

/** An API whose every request gets `respond()`'s answer. */
function answering(respond: (page: number) => Response, deps: { now?: () => number } = {}) {
  const authorizedFetch = vi.fn<AuthorizedFetch>(async (url) => ok(respond(Number(new URL(url).searchParams.get('page')))));
  return { api: createCardioMoodApi({ baseUrl: 'https://api.test', authorizedFetch, ...deps }), authorizedFetch };
}

const datesOf = (result: Awaited<ReturnType<ReturnType<typeof createCardioMoodApi>['fetchSummaries']>>) =>
  result.ok ? result.value.map((s) => s.date) : result.error;

describe('createCardioMoodApi', () => {
  describe('request', () => {
    it('should send the documented query and headers to <baseUrl>/user-summaries when asked for one range', async () => {
      const { authorizedFetch, requests } = laravel(rawDays(TO, 3));
      const api = createCardioMoodApi({ baseUrl: 'https://api.test/v1/', authorizedFetch });
      await api.fetchSummaries(query(3, { includeSlots: true }));
      const { url, init } = requests[0]!;
      expect(`${url.origin}${url.pathname}`).toBe('https://api.test/v1/user-summaries');
      expect(Object.fromEntries(url.searchParams)).toEqual({
        date_from: '2026-11-26',
        date_to: '2026-11-28',
        include_slots: '1',
        per_page: String(REQUESTED_PER_PAGE),
        page: '1',
      });
      const headers = new Headers(init?.headers);
      expect(init?.method).toBe('GET');
      expect(headers.get('Accept')).toBe('application/json');
      expect(headers.get('Content-Type')).toBe('application/json');
      expect(init?.signal).toBeInstanceOf(AbortSignal);
    });

    it('should send include_slots=0 when slots are not wanted', async () => {
      const { api, requests } = laravel(rawDays(TO, 3));
      await api.fetchSummaries(query(3));
      expect(requests[0]!.url.searchParams.get('include_slots')).toBe('0');
    });

    it('should never follow a next_page_url to another host when the envelope points elsewhere', async () => {
      const { api, authorizedFetch } = answering((page) =>
        json(200, {
          ...flatPage([rawSummary(addDays(TO, -page))], page, 2, 1),
          next_page_url: page < 2 ? 'https://evil.test/user-summaries?page=2' : null,
        }),
      );
      await api.fetchSummaries(query(5));
      expect(authorizedFetch.mock.calls.map(([url]) => new URL(url).host)).toEqual(['api.test', 'api.test']);
    });

    it.each([
      ['2026-02-30', TO],
      [TO, '28.11.2026'],
      ['', TO],
    ])('should answer INVALID_MESSAGE without a request when the range is %s … %s', async (dateFrom, dateTo) => {
      const { api, authorizedFetch } = laravel([]);
      const result = await api.fetchSummaries({ dateFrom, dateTo, includeSlots: false });
      expect(!result.ok && result.error.code).toBe('INVALID_MESSAGE');
      expect(authorizedFetch).not.toHaveBeenCalled();
    });

    it('should answer no days without a request when the range is reversed', async () => {
      const { api, authorizedFetch } = laravel(rawDays(TO, 3));
      expect(await api.fetchSummaries({ dateFrom: TO, dateTo: addDays(TO, -1), includeSlots: false })).toEqual({ ok: true, value: [] });
      expect(authorizedFetch).not.toHaveBeenCalled();
    });
  });

  describe('pagination', () => {
    it.each<[Shape, number]>([
      ['flat', 10],
      ['resource', 10],
      ['flat', 7],
      ['resource', 1],
    ])('should follow every page of a %s envelope when the server caps per_page at %i', async (shape, cap) => {
      const days = rawDays(TO, 29);
      const { api, pages } = laravel(days, { shape, cap });
      const result = await api.fetchSummaries(query(29));
      expect(datesOf(result)).toEqual(dateRange(addDays(TO, -28), TO));
      expect(pages()).toEqual(Array.from({ length: Math.ceil(29 / cap) }, (_, i) => String(i + 1)));
    });

    it('should fetch one page when everything fits', async () => {
      const { api, pages } = laravel(rawDays(TO, 29));
      expect(datesOf(await api.fetchSummaries(query(29)))).toHaveLength(29);
      expect(pages()).toEqual(['1']);
    });

    it('should keep asking while a bare {data} envelope comes back full, and stop on a short page', async () => {
      const days = rawDays(TO, 150);
      const { api, pages } = laravel(days, { shape: 'bare' });
      expect(datesOf(await api.fetchSummaries(query(150)))).toHaveLength(150);
      expect(pages()).toEqual(['1', '2']);
    });

    it('should stop after one request when the first page is empty', async () => {
      const { api, pages } = laravel([]);
      expect(await api.fetchSummaries(query(29))).toEqual({ ok: true, value: [] });
      expect(pages()).toEqual(['1']);
    });

    it('should continue on current_page < last_page when next_page_url is null', async () => {
      const { api, authorizedFetch } = answering((page) =>
        json(200, { ...flatPage([rawSummary(addDays(TO, -page))], page, 3, 1), next_page_url: null }),
      );
      expect(datesOf(await api.fetchSummaries(query(5)))).toEqual([addDays(TO, -3), addDays(TO, -2), addDays(TO, -1)]);
      expect(authorizedFetch).toHaveBeenCalledTimes(3);
    });

    it('should not trust an envelope per_page above what was asked when deciding that a page was short', async () => {
      // 100 items with a claimed per_page of 500: "short" by the claim, but a full page of what we asked.
      const days = rawDays(TO, 150);
      const { api, authorizedFetch } = answering((page) =>
        json(200, { ...flatPage(days.slice((page - 1) * 100, page * 100), page, 2, 100), per_page: 500 }),
      );
      expect(datesOf(await api.fetchSummaries(query(150)))).toHaveLength(150);
      expect(authorizedFetch).toHaveBeenCalledTimes(2);
    });

    it('should stop on a page shorter than the envelope per_page even when next_page_url says more', async () => {
      const { api, authorizedFetch } = answering((page) =>
        json(200, { ...flatPage(rawDays(TO, 3), page, 5, 10), next_page_url: '/user-summaries?page=2' }),
      );
      expect(datesOf(await api.fetchSummaries(query(29)))).toHaveLength(3);
      expect(authorizedFetch).toHaveBeenCalledTimes(1);
    });

    it('should stop when a lying envelope repeats the same page while announcing 999 pages', async () => {
      const { api, authorizedFetch } = answering(() => json(200, flatPage([rawSummary(TO)], 1, 999, 1)));
      expect(datesOf(await api.fetchSummaries(query(29)))).toEqual([TO]);
      // Page 2 brings nothing new: the walk stops there; pages 3 and 4 were already on their way.
      expect(authorizedFetch).toHaveBeenCalledTimes(1 + PAGE_CONCURRENCY);
    });

    it.each([
      [29, 10, 3],
      [29, 1, 29],
      [90, 7, 13],
    ])('should ask for the pages after the first %i days (cap %i, %i pages) at most three at a time', async (days, cap, pageCount) => {
      const { authorizedFetch: serve } = laravel(rawDays(TO, days), { cap });
      let inFlight = 0;
      let most = 0;
      const starts: number[] = [];
      const authorizedFetch = vi.fn<AuthorizedFetch>(async (url, init) => {
        starts.push(Number(new URL(url).searchParams.get('page')));
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 2));
        inFlight -= 1;
        return serve(url, init);
      });
      const api = createCardioMoodApi({ baseUrl: 'https://api.test', authorizedFetch });
      expect(datesOf(await api.fetchSummaries(query(days)))).toEqual(dateRange(addDays(TO, -(days - 1)), TO));
      expect([...starts].sort((a, b) => a - b)).toEqual(Array.from({ length: pageCount }, (_, i) => i + 1));
      expect(most).toBe(Math.min(PAGE_CONCURRENCY, pageCount - 1));
    });

    it('should ask for pages one by one when the first page does not say how many there are', async () => {
      const { authorizedFetch: serve } = laravel(rawDays(TO, 150), { shape: 'bare' });
      let inFlight = 0;
      let most = 0;
      const authorizedFetch = vi.fn<AuthorizedFetch>(async (url, init) => {
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 2));
        inFlight -= 1;
        return serve(url, init);
      });
      const api = createCardioMoodApi({ baseUrl: 'https://api.test', authorizedFetch });
      expect(datesOf(await api.fetchSummaries(query(150)))).toHaveLength(150);
      expect(most).toBe(1);
    });

    it('should cancel the pages on their way when a page fails', async () => {
      const signals = new Map<number, AbortSignal>();
      const authorizedFetch = vi.fn<AuthorizedFetch>((url, init) => {
        const page = Number(new URL(url).searchParams.get('page'));
        signals.set(page, init!.signal!);
        if (page === 1) return Promise.resolve(ok(json(200, flatPage([rawSummary(TO)], 1, 5, 1))));
        if (page === 2) return Promise.resolve(ok(json(503, {})));
        // Pages 3 and 4 answer only when cancelled.
        return new Promise((_resolve, reject) => init!.signal!.addEventListener('abort', () => reject(init!.signal!.reason)));
      });
      const api = createCardioMoodApi({ baseUrl: 'https://api.test', authorizedFetch });
      const result = await api.fetchSummaries(query(9));
      expect(!result.ok && result.error.code).toBe('SERVER_ERROR');
      expect([...signals.keys()]).toEqual([1, 2, 3, 4]);
      expect([3, 4].map((page) => signals.get(page)!.aborted)).toEqual([true, true]);
    });

    it('should answer MALFORMED_RESPONSE after at most days+1 pages when the envelope never ends', async () => {
      // Every page brings a new day (outside the range), so only the page bound can stop it.
      const { api, authorizedFetch } = answering((page) => json(200, flatPage([rawSummary(addDays('2020-01-01', page))], page, 10_000, 1)));
      const result = await api.fetchSummaries(query(5));
      expect(!result.ok && result.error.code).toBe('MALFORMED_RESPONSE');
      expect(!result.ok && result.error.message).toMatch(/kept announcing more pages/);
      expect(authorizedFetch).toHaveBeenCalledTimes(6);
    });

    it('should de-duplicate days (last wins), sort ascending and drop days outside the range', async () => {
      const { api } = answering(() =>
        json(200, { data: [rawSummary('2026-11-03', 1), rawSummary('2026-11-02'), rawSummary('2026-11-03', 2), rawSummary('2026-10-01')] }),
      );
      const result = await api.fetchSummaries({ dateFrom: '2026-11-01', dateTo: TO, includeSlots: false });
      expect(result.ok && result.value.map((s) => [s.date, s.activity?.total_steps])).toEqual([
        ['2026-11-02', 8000],
        ['2026-11-03', 8200],
      ]);
    });

    it('should de-duplicate a day that appears on two pages', async () => {
      const { api } = answering((page) =>
        json(200, flatPage(page === 1 ? [rawSummary(addDays(TO, -1), 1), rawSummary(TO, 1)] : [rawSummary(TO, 2)], page, 2, 2)),
      );
      const result = await api.fetchSummaries(query(3));
      expect(result.ok && result.value.map((s) => [s.date, s.activity?.total_steps])).toEqual([
        [addDays(TO, -1), 8100],
        [TO, 8200],
      ]);
    });

    it('should fail as a whole when a later page fails', async () => {
      const { api } = answering((page) => (page === 1 ? json(200, flatPage(rawDays(TO, 2), 1, 2, 2)) : json(503, {})));
      const result = await api.fetchSummaries(query(5));
      expect(!result.ok && result.error.code).toBe('SERVER_ERROR');
    });
  });

  describe('in-flight dedupe', () => {
    /** An API whose requests wait for `release()`; `requests` counts those that reached the server. */
    function held() {
      const { authorizedFetch: serve, requests } = laravel(rawDays(TO, 29));
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const authorizedFetch = vi.fn<AuthorizedFetch>(async (url, init) => {
        const answer = await serve(url, init);
        await gate;
        return answer;
      });
      return { api: createCardioMoodApi({ baseUrl: 'https://api.test', authorizedFetch }), requests, release };
    }

    it('should ask CardioMood once when the same range is asked for again while it is on its way', async () => {
      const { api, requests, release } = held();
      const signal = new AbortController().signal;
      const both = Promise.all([api.fetchSummaries(query(2, { signal })), api.fetchSummaries(query(2, { signal }))]);
      release();
      const [first, second] = await both;
      expect(datesOf(first)).toEqual([addDays(TO, -1), TO]);
      expect(second).toEqual(first);
      expect(requests).toHaveLength(1);
      // Settled: the next ask is a new request.
      await api.fetchSummaries(query(2, { signal }));
      expect(requests).toHaveLength(2);
    });

    it.each([
      ['another range', query(3)],
      ['the same range with slots', query(2, { includeSlots: true })],
      ['the same range for another session (signal)', query(2, { signal: new AbortController().signal })],
    ])('should not share a fetch with %s', async (_name, other) => {
      const { api, requests, release } = held();
      const both = Promise.all([api.fetchSummaries(query(2)), api.fetchSummaries(other)]);
      release();
      await both;
      expect(requests).toHaveLength(2);
    });
  });

  describe('errors', () => {
    it.each([
      [401, 'REAUTH_REQUIRED'],
      [429, 'RATE_LIMITED'],
      [500, 'SERVER_ERROR'],
      [502, 'SERVER_ERROR'],
      [503, 'SERVER_ERROR'],
      [504, 'SERVER_ERROR'],
    ] as const)('should map HTTP %i to %s', async (status, code) => {
      const { api } = answering(() => json(status, { error: 'x' }));
      const result = await api.fetchSummaries(query(3));
      expect(result).toMatchObject({ ok: false, error: { code, status } });
    });

    it.each([400, 403, 404, 405, 422])('should map HTTP %i to MALFORMED_RESPONSE saying it was a client error', async (status) => {
      const { api } = answering(() => json(status, { message: 'The given data was invalid.', errors: { date_to: ['required'] } }));
      const result = await api.fetchSummaries(query(3));
      expect(result).toMatchObject({ ok: false, error: { code: 'MALFORMED_RESPONSE', status } });
      expect(!result.ok && result.error.message).toContain(`client error (HTTP ${status}`);
    });

    it.each([
      ['seconds', '12', 12_000],
      ['an HTTP-date', 'Sat, 28 Nov 2026 12:01:30 GMT', 90_000],
      ['an HTTP-date in the past', 'Sat, 28 Nov 2026 11:00:00 GMT', 0],
    ])('should carry Retry-After given in %s on 429', async (_kind, header, ms) => {
      const { api } = answering(() => json(429, { message: 'Too Many Attempts.' }, { 'Retry-After': header }), {
        now: () => Date.parse('2026-11-28T12:00:00Z'),
      });
      const result = await api.fetchSummaries(query(3));
      expect(result).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED', retryAfterMs: ms } });
    });

    it('should carry Retry-After on 503', async () => {
      const { api } = answering(() => json(503, {}, { 'Retry-After': '30' }));
      expect(await api.fetchSummaries(query(3))).toMatchObject({ ok: false, error: { code: 'SERVER_ERROR', retryAfterMs: 30_000 } });
    });

    it('should leave retryAfterMs out on 429 when there is no Retry-After', async () => {
      const { api } = answering(() => json(429, {}));
      const result = await api.fetchSummaries(query(3));
      expect(!result.ok && 'retryAfterMs' in result.error).toBe(false);
    });

    it('should answer MALFORMED_RESPONSE quoting the body when a 200 is not JSON', async () => {
      const { api } = answering(() => new Response('<!DOCTYPE html><html>Maintenance</html>', { status: 200 }));
      const result = await api.fetchSummaries(query(3));
      expect(result).toMatchObject({ ok: false, error: { code: 'MALFORMED_RESPONSE', status: 200 } });
      expect(!result.ok && result.error.message).toContain('"<!DOCTYPE html><html>Maintenance</html>"');
      expect(!result.ok && result.error.cause).toBeInstanceOf(SyntaxError);
    });

    it('should answer MALFORMED_RESPONSE for an empty 204', async () => {
      const { api } = answering(() => new Response(null, { status: 204 }));
      expect(await api.fetchSummaries(query(3))).toMatchObject({ ok: false, error: { code: 'MALFORMED_RESPONSE' } });
    });

    it.each([
      ['a bare array', [rawSummary(TO)], 'body'],
      ['no data', { items: [] }, '"data"'],
      ['data that is not an array', { data: { date: TO } }, '"data"'],
    ])('should answer MALFORMED_RESPONSE naming the culprit and keeping the zod error when the envelope is %s', async (_n, body, culprit) => {
      const { api } = answering(() => json(200, body));
      const result = await api.fetchSummaries(query(3));
      expect(result).toMatchObject({ ok: false, error: { code: 'MALFORMED_RESPONSE' } });
      expect(!result.ok && result.error.message).toContain(culprit);
      expect(!result.ok && result.error.cause).toBeInstanceOf(z.ZodError);
    });

    it('should answer MALFORMED_RESPONSE naming data[0].date when no item on a page is a summary', async () => {
      const { api } = answering(() => json(200, { data: [{ day: TO }, { date: 'yesterday' }] }));
      const result = await api.fetchSummaries(query(3));
      expect(result).toMatchObject({ ok: false, error: { code: 'MALFORMED_RESPONSE' } });
      expect(!result.ok && result.error.message).toContain('"data[0].date"');
    });

    it('should keep the valid days when only some items lack a date', async () => {
      const { api } = answering(() => json(200, { data: [{ day: TO }, rawSummary(TO)] }));
      expect(datesOf(await api.fetchSummaries(query(3)))).toEqual([TO]);
    });

    it.each(['NOT_SIGNED_IN', 'REAUTH_REQUIRED', 'NETWORK_ERROR'] as const)(
      'should pass %s from authorizedFetch through unchanged',
      async (code) => {
        const api = createCardioMoodApi({ baseUrl: 'https://api.test', authorizedFetch: async () => err(code, 'from auth') });
        expect(await api.fetchSummaries(query(3))).toEqual({ ok: false, error: { code, message: 'from auth' } });
      },
    );

    it('should rethrow when authorizedFetch throws for a reason other than an abort (a bug)', async () => {
      const api = createCardioMoodApi({
        baseUrl: 'https://api.test',
        authorizedFetch: async () => {
          throw new TypeError('boom');
        },
      });
      await expect(api.fetchSummaries(query(3))).rejects.toThrow('boom');
    });

    it('should answer NETWORK_ERROR when the body breaks off while being read', async () => {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"data":['));
          controller.error(new TypeError('connection reset'));
        },
      });
      const { api } = answering(() => new Response(body, { status: 200 }));
      expect(await api.fetchSummaries(query(3))).toMatchObject({ ok: false, error: { code: 'NETWORK_ERROR' } });
    });
  });

  describe('abort and timeout', () => {
    /** Like the lead's authorizedFetch: a fetch that rejects when its signal aborts, and never answers. */
    const hanging: AuthorizedFetch = (_url, init) =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal!.reason));
      });
    /** An authorizedFetch stuck somewhere that does not look at the signal at all. */
    const deaf: AuthorizedFetch = () => new Promise(() => undefined);

    it('should answer an aborted NETWORK_ERROR without any request when the signal is already aborted', async () => {
      const authorizedFetch = vi.fn<AuthorizedFetch>(hanging);
      const api = createCardioMoodApi({ baseUrl: 'https://api.test', authorizedFetch });
      const result = await api.fetchSummaries(query(3, { signal: AbortSignal.abort() }));
      expect(result).toMatchObject({ ok: false, error: { code: 'NETWORK_ERROR', aborted: true } });
      expect(authorizedFetch).not.toHaveBeenCalled();
    });

    it.each([
      ['rejects on abort', hanging],
      ['ignores the signal', deaf],
    ])('should answer an aborted NETWORK_ERROR when aborted mid-request and authorizedFetch %s', async (_n, authorizedFetch) => {
      const api = createCardioMoodApi({ baseUrl: 'https://api.test', authorizedFetch });
      const controller = new AbortController();
      const pending = api.fetchSummaries(query(3, { signal: controller.signal }));
      controller.abort();
      expect(await pending).toMatchObject({ ok: false, error: { code: 'NETWORK_ERROR', aborted: true } });
    });

    it('should stop between pages when aborted after the first page', async () => {
      const controller = new AbortController();
      const authorizedFetch = vi.fn<AuthorizedFetch>(async (url) => {
        const page = Number(new URL(url).searchParams.get('page'));
        controller.abort();
        return ok(json(200, flatPage([rawSummary(addDays(TO, -page))], page, 3, 1)));
      });
      const api = createCardioMoodApi({ baseUrl: 'https://api.test', authorizedFetch });
      const result = await api.fetchSummaries(query(5, { signal: controller.signal }));
      expect(result).toMatchObject({ ok: false, error: { code: 'NETWORK_ERROR', aborted: true } });
      expect(authorizedFetch).toHaveBeenCalledTimes(1);
    });

    it.each([
      ['rejects on abort', hanging],
      ['ignores the signal', deaf],
    ])('should answer SERVER_ERROR when CardioMood does not answer in time and authorizedFetch %s', async (_n, authorizedFetch) => {
      const api = createCardioMoodApi({ baseUrl: 'https://api.test', authorizedFetch, timeoutMs: 20 });
      const result = await api.fetchSummaries(query(3));
      expect(result).toMatchObject({ ok: false, error: { code: 'SERVER_ERROR' } });
      expect(!result.ok && result.error.message).toMatch(/did not answer/);
    });
  });
});

describe('lastPageOf', () => {
  it.each([
    [{ lastPage: 4, total: 100, perPage: 10 }, 4],
    [{ total: 29, perPage: 10 }, 3],
    [{ total: 29, perPage: 500 }, 1],
    [{ total: 0, perPage: 10 }, 1],
    [{ nextPageUrl: '/user-summaries?page=2' }, 1],
    [{}, 1],
  ])('should read %j as %i pages', (info, pages) => {
    expect(lastPageOf(info)).toBe(pages);
  });
});

describe('hasNextPage', () => {
  it.each([
    ['an empty page', {}, 0, false],
    ['an empty page that announces a next one', { nextPageUrl: 'x', currentPage: 1, lastPage: 2 }, 0, false],
    ['a full page with no metadata', {}, 100, true],
    ['a short page with no metadata', {}, 99, false],
    ['a page shorter than the envelope per_page', { perPage: 10, nextPageUrl: 'x' }, 9, false],
    ['a full capped page with a next url', { perPage: 10, nextPageUrl: 'x' }, 10, true],
    ['a full page on the last page', { perPage: 10, currentPage: 3, lastPage: 3, nextPageUrl: null }, 10, false],
    ['a full page before the last page', { perPage: 10, currentPage: 2, lastPage: 3 }, 10, true],
    ['an explicit null next url and no last page', { nextPageUrl: null }, 100, false],
    ['a blank next url and no last page', { nextPageUrl: '' }, 100, true],
  ])('should say so for %s', (_n, info, received, expected) => {
    expect(hasNextPage(info, received, 1)).toBe(expected);
  });
});

describe('processUserSummariesResponse', () => {
  it('should return the valid summaries, the item count and the page info from either envelope', async () => {
    const flat = await processUserSummariesResponse(json(200, flatPage(rawDays(TO, 2), 1, 3, 2)));
    expect(flat.ok && { n: flat.value.summaries.length, received: flat.value.received, info: flat.value.pageInfo }).toEqual({
      n: 2,
      received: 2,
      info: { currentPage: 1, lastPage: 3, perPage: 2, total: 0, nextPageUrl: '/user-summaries?page=2' },
    });
    const resource = await processUserSummariesResponse(json(200, resourcePage(rawDays(TO, 2), 3, 3, 2)));
    expect(resource.ok && resource.value.pageInfo).toEqual({ currentPage: 3, lastPage: 3, perPage: 2, total: 0, nextPageUrl: null });
  });
});
