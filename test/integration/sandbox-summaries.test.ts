/**
 * `GET /user-summaries` of the sandbox over real HTTP: the Laravel paginator envelope, validation,
 * authentication, rate limiting, slots and type filters. The clock is fixed so dates are known.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/node';
import { getSummaries } from '../../src/sandbox/testing/oauth-driver';
import { addDays } from '../../src/shared/local-date';

/** Wednesday 2026-03-18, 14:37 in Amsterdam (CET). */
const NOW = Date.UTC(2026, 2, 18, 13, 37);
const TODAY = '2026-03-18';
const ZONE = 'Europe/Amsterdam';
const ALICE = 'alice@example.com';
const BOB = 'bob@example.com';

type Day = { date: string } & Record<string, Record<string, unknown> | string>;
interface Envelope {
  current_page: number;
  data: Day[];
  first_page_url: string;
  from: number | null;
  last_page: number;
  last_page_url: string;
  links: { url: string | null; label: string; active: boolean }[];
  next_page_url: string | null;
  path: string;
  per_page: number;
  prev_page_url: string | null;
  to: number | null;
  total: number;
}

let sandbox: RunningSandbox;
let alice: string;
let bob: string;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, timeZone: ZONE, now: () => NOW });
  alice = (await sandbox.control.issueTokens(ALICE)).access_token;
  bob = (await sandbox.control.issueTokens(BOB)).access_token;
});
afterEach(() => sandbox.control.setNow(null));
afterAll(async () => {
  await sandbox?.close();
});

async function page(token: string, query: string | Record<string, string>): Promise<Envelope> {
  const response = await getSummaries(sandbox.url, token, query);
  expect(response.status).toBe(200);
  return (await response.json()) as Envelope;
}

describe('GET /user-summaries envelope', () => {
  it('should answer the flat Laravel paginator with every key', async () => {
    const body = await page(alice, { date_from: '2026-03-01', date_to: '2026-03-10' });
    expect(Object.keys(body).sort()).toEqual(
      ['current_page', 'data', 'first_page_url', 'from', 'last_page', 'last_page_url', 'links', 'next_page_url', 'path', 'per_page', 'prev_page_url', 'to', 'total'].sort(),
    );
    expect(body).toMatchObject({ current_page: 1, from: 1, to: 10, per_page: 10, total: 10, last_page: 1, next_page_url: null, prev_page_url: null });
    expect(body.path).toBe(`${sandbox.url}/user-summaries`);
    expect(body.data.map((day) => day.date)).toEqual(Array.from({ length: 10 }, (_, i) => addDays('2026-03-01', i)));
    expect(body.links[0]).toEqual({ url: null, label: '&laquo; Previous', active: false });
    expect(body.links.at(-1)).toEqual({ url: null, label: 'Next &raquo;', active: false });
    expect(body.links.filter((link) => link.active).map((link) => link.label)).toEqual(['1']);
  });

  it('should default per_page to 10 and page to 1 and keep the query in page URLs', async () => {
    const body = await page(alice, { date_from: '2026-02-01', date_to: '2026-02-28', include_slots: '0' });
    expect(body.data).toHaveLength(10);
    expect(body.total).toBe(28);
    expect(body.last_page).toBe(3);
    const next = new URL(body.next_page_url ?? '');
    expect(next.searchParams.get('page')).toBe('2');
    expect(next.searchParams.get('date_from')).toBe('2026-02-01');
    expect(next.searchParams.get('include_slots')).toBe('0');
  });

  it.each([
    ['page=0', '0', 1],
    ['page=-3', '-3', 1],
    ['page=abc', 'abc', 1],
    ['page=2', '2', 2],
  ])('should treat %s as page %i', async (_case, pageParam, expected) => {
    const body = await page(alice, { date_from: '2026-02-01', date_to: '2026-02-28', page: pageParam });
    expect(body.current_page).toBe(expected);
    expect(body.data[0]?.date).toBe(addDays('2026-02-01', (expected - 1) * 10));
  });

  it('should cap per_page at 100', async () => {
    const body = await page(alice, { date_from: '2025-06-01', date_to: '2026-03-01', per_page: '500' });
    expect(body.per_page).toBe(100);
    expect(body.data).toHaveLength(100);
  });

  it('should answer an empty page past the end with from and to null', async () => {
    const body = await page(alice, { date_from: '2026-03-01', date_to: '2026-03-05', page: '9' });
    expect(body.data).toEqual([]);
    expect(body.from).toBeNull();
    expect(body.to).toBeNull();
    expect(body.total).toBe(5);
    expect(body.current_page).toBe(9);
  });

  it('should yield every day with data exactly once when following next_page_url', async () => {
    const dates: string[] = [];
    let url: string | null = `${sandbox.url}/user-summaries?date_from=2026-01-01&date_to=${TODAY}&per_page=7`;
    let pages = 0;
    while (url) {
      const response = await fetch(url, { headers: { Authorization: `Bearer ${alice}` } });
      const body = (await response.json()) as Envelope;
      dates.push(...body.data.map((day) => day.date));
      url = body.next_page_url;
      pages++;
    }
    const expected = Array.from({ length: 77 }, (_, i) => addDays('2026-01-01', i)).filter((date) => date !== addDays(TODAY, -3));
    expect(dates).toEqual(expected);
    expect(pages).toBe(Math.ceil(76 / 7));
  });

  it('should window the page links like Laravel when there are many pages', async () => {
    const body = await page(alice, { date_from: '2025-06-01', date_to: '2026-03-01', per_page: '5', page: '20' });
    const labels = body.links.map((link) => link.label);
    expect(labels).toEqual(['&laquo; Previous', '1', '2', '...', '17', '18', '19', '20', '21', '22', '23', '...', String(body.last_page - 1), String(body.last_page), 'Next &raquo;']);
  });

  it('should answer the same bytes for the same request', async () => {
    const query = { date_from: '2026-03-01', date_to: TODAY, include_slots: '1' };
    const [first, second] = await Promise.all([getSummaries(sandbox.url, alice, query), getSummaries(sandbox.url, alice, query)]);
    expect(await first.text()).toBe(await second.text());
  });

  it('should generate the same data in another sandbox instance (seeded, not random)', async () => {
    const other = await startSandbox({ port: 0, timeZone: ZONE, now: () => NOW });
    try {
      const token = (await other.control.issueTokens(ALICE)).access_token;
      const query = { date_from: '2026-02-01', date_to: '2026-02-10', include_slots: '1' };
      const ours = await page(alice, query);
      const theirs = (await (await getSummaries(other.url, token, query)).json()) as Envelope;
      expect(JSON.stringify(theirs.data)).toBe(JSON.stringify(ours.data));
    } finally {
      await other.close();
    }
  });
});

describe('GET /user-summaries slots and types', () => {
  it('should leave out every slots key when include_slots is 0 or absent', async () => {
    for (const query of [{ include_slots: '0' }, {}] as Record<string, string>[]) {
      const response = await getSummaries(sandbox.url, alice, { date_from: '2026-03-10', date_to: TODAY, ...query });
      const text = await response.text();
      expect(text).not.toContain('"slots');
      expect(text).toContain('"total_steps"');
    }
  });

  it('should add slots to every family when include_slots is 1', async () => {
    const body = await page(alice, { date_from: '2026-03-10', date_to: '2026-03-12', include_slots: '1' });
    for (const day of body.data) {
      for (const family of ['activity', 'heart_rate', 'sleep', 'spo2', 'stress', 'respiration_rate', 'temperature']) {
        expect(Array.isArray((day[family] as Record<string, unknown>).slots), `${day.date} ${family}`).toBe(true);
      }
      expect(Array.isArray((day.activity as Record<string, unknown>).slots_five_minutes)).toBe(true);
    }
  });

  it.each([
    ['types[]=heart_rate', 'types[]=heart_rate', ['heart_rate']],
    ['types[0]=activity', 'types[0]=activity', ['activity']],
    ['types[0]=activity&types[1]=sleep', 'types[0]=activity&types[1]=sleep', ['activity', 'sleep']],
    ['types[]=spo2&types[]=temperature', 'types%5B%5D=spo2&types%5B%5D=temperature', ['spo2', 'temperature']],
  ])('should return only the requested families for %s', async (_case, typesQuery, families) => {
    const body = await page(alice, `date_from=2026-03-01&date_to=2026-03-05&${typesQuery}`);
    expect(body.data).toHaveLength(5);
    for (const day of body.data) expect(Object.keys(day).sort()).toEqual(['date', ...families].sort());
  });

  it('should leave out days without the requested family (Bob without heart_rate)', async () => {
    const all = await page(bob, { date_from: '2026-01-01', date_to: '2026-03-17', per_page: '100' });
    const withHeartRate = await page(bob, `date_from=2026-01-01&date_to=2026-03-17&per_page=100&types[]=heart_rate`);
    const expected = all.data.filter((day) => day.heart_rate !== undefined).map((day) => day.date);
    expect(expected.length).toBeLessThan(all.data.length);
    expect(withHeartRate.total).toBe(expected.length);
    expect(withHeartRate.data.map((day) => day.date)).toEqual(expected);
  });
});

describe('GET /user-summaries authentication', () => {
  it.each([
    ['no Authorization header', undefined],
    ['a token that is not a JWT', 'garbage'],
    ['an empty bearer', ''],
  ])('should answer 401 Unauthenticated with %s', async (_case, token) => {
    const before = sandbox.control.stats().unauthorized;
    const response = await getSummaries(sandbox.url, token, { date_from: '2026-03-01', date_to: '2026-03-02' });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'Unauthenticated.' });
    expect(sandbox.control.stats()).toMatchObject({ unauthorized: before + 1, unauthorizedResponses: before + 1 });
  });

  it('should answer 401 for a Basic Authorization header', async () => {
    const response = await fetch(`${sandbox.url}/user-summaries?date_from=2026-03-01&date_to=2026-03-02`, {
      headers: { Authorization: `Basic ${btoa('alice@example.com:alice-demo')}` },
    });
    expect(response.status).toBe(401);
  });

  it('should answer 401 before validating the query', async () => {
    const response = await getSummaries(sandbox.url, 'garbage', { date_from: 'nope' });
    expect(response.status).toBe(401);
  });

  it('should count every request', async () => {
    sandbox.control.resetStats();
    await (await getSummaries(sandbox.url, alice, { date_from: '2026-03-01', date_to: '2026-03-01' })).arrayBuffer();
    await (await getSummaries(sandbox.url, undefined, { date_from: '2026-03-01', date_to: '2026-03-01' })).arrayBuffer();
    expect(sandbox.control.stats().userSummariesRequests).toBe(2);
  });
});

describe('GET /user-summaries validation', () => {
  it.each([
    ['date_from is missing', { date_to: '2026-03-01' }, 'date_from', 'The date from field is required.'],
    ['date_to is missing', { date_from: '2026-03-01' }, 'date_to', 'The date to field is required.'],
    ['date_from is not Y-m-d', { date_from: '01/03/2026', date_to: '2026-03-02' }, 'date_from', 'The date from does not match the format Y-m-d.'],
    ['date_to has a time', { date_from: '2026-03-01', date_to: '2026-03-02T00:00' }, 'date_to', 'The date to does not match the format Y-m-d.'],
    ['date_to is not a real day', { date_from: '2026-02-01', date_to: '2026-02-30' }, 'date_to', 'The date to is not a valid date.'],
    ['the range is reversed', { date_from: '2026-03-02', date_to: '2026-03-01' }, 'date_to', 'The date to must be a date after or equal to date from.'],
    ['the range spans 367 days', { date_from: '2025-01-01', date_to: '2026-01-02' }, 'date_to', 'The date range may not be longer than 366 days.'],
    ['include_slots is 2', { date_from: '2026-03-01', date_to: '2026-03-01', include_slots: '2' }, 'include_slots', 'The include slots field must be true or false.'],
    ['per_page is not a number', { date_from: '2026-03-01', date_to: '2026-03-01', per_page: 'ten' }, 'per_page', 'The per page must be an integer.'],
    ['per_page is 0', { date_from: '2026-03-01', date_to: '2026-03-01', per_page: '0' }, 'per_page', 'The per page must be at least 1.'],
    ['a type is unknown', { date_from: '2026-03-01', date_to: '2026-03-01', 'types[0]': 'blood_pressure' }, 'types.0', 'The selected types.0 is invalid.'],
  ])('should answer 422 when %s', async (_case, query, field, message) => {
    const response = await getSummaries(sandbox.url, alice, query as Record<string, string>);
    expect(response.status).toBe(422);
    const body = (await response.json()) as { message: string; errors: Record<string, string[]> };
    expect(body.message).toBe('The given data was invalid.');
    expect(body.errors[field]).toEqual([message]);
  });

  it('should accept a span of exactly 366 days', async () => {
    const body = await page(alice, { date_from: '2025-03-18', date_to: '2026-03-18', per_page: '1' });
    expect(body.total).toBe(365);
  });

  it('should answer an empty page for a range before any data', async () => {
    const body = await page(alice, { date_from: '2020-01-01', date_to: '2020-12-31' });
    expect(body).toMatchObject({ data: [], total: 0, from: null, to: null, last_page: 1 });
  });
});

describe('GET /user-summaries rate limit', () => {
  let limited: RunningSandbox;
  beforeAll(async () => {
    limited = await startSandbox({ port: 0, timeZone: ZONE, rateLimitPerMinute: 3 });
  });
  afterAll(async () => {
    await limited?.close();
  });

  it('should count down x-ratelimit-remaining and answer 429 with Retry-After over the limit', async () => {
    limited.control.setNow(NOW);
    const token = (await limited.control.issueTokens(ALICE)).access_token;
    const query = { date_from: '2026-03-01', date_to: '2026-03-01' };
    const remaining: (string | null)[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await getSummaries(limited.url, token, query);
      expect(response.status).toBe(200);
      expect(response.headers.get('x-ratelimit-limit')).toBe('3');
      remaining.push(response.headers.get('x-ratelimit-remaining'));
      await response.arrayBuffer();
    }
    expect(remaining).toEqual(['2', '1', '0']);
    limited.control.setNow(NOW + 20_000);
    const over = await getSummaries(limited.url, token, query);
    expect(over.status).toBe(429);
    expect(over.headers.get('Retry-After')).toBe('40');
    expect(over.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(over.headers.get('x-ratelimit-limit')).toBe('3');
    expect(limited.control.stats().rateLimitedResponses).toBe(1);

    const other = (await limited.control.issueTokens(ALICE)).access_token;
    expect((await getSummaries(limited.url, other, query)).status).toBe(200);

    limited.control.setNow(NOW + 60_000);
    const after = await getSummaries(limited.url, token, query);
    expect(after.status).toBe(200);
    expect(after.headers.get('x-ratelimit-remaining')).toBe('2');
  });

  it('should send the rate-limit headers on 401 and 422 answers too', async () => {
    const token = (await limited.control.issueTokens(BOB)).access_token;
    const invalid = await getSummaries(limited.url, token, { date_from: 'x' });
    expect(invalid.status).toBe(422);
    expect(invalid.headers.get('x-ratelimit-remaining')).toBe('2');
    const unauthenticated = await getSummaries(limited.url, 'garbage', { date_from: 'x' });
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers.get('x-ratelimit-limit')).toBe('3');
  });
});

describe('sandbox routing', () => {
  it.each([
    ['GET', '/nope'],
    ['POST', '/user-summaries'],
    ['GET', '/oauth/token'],
    ['GET', '/__sandbox/stats'],
  ])('should answer %s %s with a 404 JSON error', async (method, path) => {
    const response = await fetch(`${sandbox.url}${path}`, { method });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'not_found', error_description: 'No such route' });
  });
});
