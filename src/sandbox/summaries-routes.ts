import { Hono, type Context } from 'hono';
import type { SandboxContext } from './sandbox-context';
import { SUMMARY_TYPES, type SummaryDay, type SummaryType } from './generate-day';
import { createRateLimiter } from './rate-limit';
import { isCalendarDate } from '../shared/local-date';
import { dayNumber } from './time-zone';

/** `GET /user-summaries` (docs/cardiomood-api.md §3.1, with the emulator choices of §11). */

const MAX_PER_PAGE = 100;
const DEFAULT_PER_PAGE = 10;
const MAX_SPAN_DAYS = 366;

type ValidationErrors = Record<string, string[]>;

interface SummariesQuery {
  from: string;
  to: string;
  includeSlots: boolean;
  perPage: number;
  page: number;
  types: SummaryType[] | undefined;
}

const attributeName = (field: string) => field.replace(/_/g, ' ');

/** Laravel's validation of the query, with Laravel's messages (422 on failure). */
function validateQuery(url: URL): { ok: true; query: SummariesQuery } | { ok: false; errors: ValidationErrors } {
  const errors: ValidationErrors = {};
  const add = (field: string, message: string) => (errors[field] ??= []).push(message);
  const params = url.searchParams;

  const date = (field: 'date_from' | 'date_to') => {
    const value = params.get(field);
    if (value === null || value === '') add(field, `The ${attributeName(field)} field is required.`);
    else if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) add(field, `The ${attributeName(field)} does not match the format Y-m-d.`);
    else if (!isCalendarDate(value)) add(field, `The ${attributeName(field)} is not a valid date.`);
    else return value;
    return undefined;
  };
  const from = date('date_from');
  const to = date('date_to');
  if (from && to) {
    if (to < from) add('date_to', 'The date to must be a date after or equal to date from.');
    else if (dayNumber(to) - dayNumber(from) + 1 > MAX_SPAN_DAYS) add('date_to', `The date range may not be longer than ${MAX_SPAN_DAYS} days.`);
  }

  let includeSlots = false;
  const slots = params.get('include_slots');
  if (slots !== null) {
    if (['1', 'true'].includes(slots)) includeSlots = true;
    else if (!['0', 'false', ''].includes(slots)) add('include_slots', 'The include slots field must be true or false.');
  }

  let perPage = DEFAULT_PER_PAGE;
  const perPageText = params.get('per_page');
  if (perPageText !== null && perPageText !== '') {
    if (!/^-?\d+$/.test(perPageText)) add('per_page', 'The per page must be an integer.');
    else if (Number(perPageText) < 1) add('per_page', 'The per page must be at least 1.');
    else perPage = Math.min(MAX_PER_PAGE, Number(perPageText));
  }

  // Laravel's paginator: a page that is not an integer >= 1 is page 1 (the docs' curl sends page=0).
  const pageText = params.get('page') ?? '';
  const page = /^\d+$/.test(pageText) && Number(pageText) >= 1 ? Math.min(Number(pageText), 1_000_000) : 1;

  // `types[]=activity`, `types[0]=activity` (the form a Python client sends) and `types=activity`.
  let types: SummaryType[] | undefined;
  const typeEntries = [...params.entries()].filter(([name]) => /^types(\[\d*\])?$/.test(name));
  if (typeEntries.length > 0) {
    types = [];
    typeEntries.forEach(([, value], index) => {
      if ((SUMMARY_TYPES as readonly string[]).includes(value)) types!.push(value as SummaryType);
      else add(`types.${index}`, `The selected types.${index} is invalid.`);
    });
  }

  if (Object.keys(errors).length > 0 || !from || !to) return { ok: false, errors };
  return { ok: true, query: { from, to, includeSlots, perPage, page, types } };
}

/** The day as the API returns it: only the requested families, slots only when asked for. */
function present(day: SummaryDay, query: SummariesQuery): Record<string, unknown> {
  const out: Record<string, unknown> = { date: day.date };
  for (const type of SUMMARY_TYPES) {
    const family = day[type];
    if (!family || (query.types && !query.types.includes(type))) continue;
    if (query.includeSlots) {
      out[type] = family;
    } else {
      const { slots: _slots, slots_five_minutes: _five, ...rest } = family as typeof family & { slots_five_minutes?: unknown };
      out[type] = rest;
    }
  }
  return out;
}

/** Laravel's UrlWindow (onEachSide = 3): every page when few, else first/last two around a slider. */
function pageWindow(current: number, last: number): (number | '...')[] {
  const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
  const onEachSide = 3;
  if (last < onEachSide * 2 + 8) return range(1, last);
  const window = onEachSide + 4;
  if (current <= window) return [...range(1, window + onEachSide), '...', last - 1, last];
  if (current > last - window) return [1, 2, '...', ...range(last - (window + (onEachSide - 1)), last)];
  return [1, 2, '...', ...range(current - onEachSide, current + onEachSide), '...', last - 1, last];
}

/** Laravel's flat LengthAwarePaginator JSON (shape (a) of §3.1), links keeping the query string. */
function paginator(c: Context, baseUrl: string, data: unknown[], total: number, query: SummariesQuery) {
  const path = `${baseUrl}/user-summaries`;
  const lastPage = Math.max(1, Math.ceil(total / query.perPage));
  const requestParams = new URL(c.req.url).searchParams;
  const pageUrl = (page: number) => {
    const params = new URLSearchParams(requestParams);
    params.delete('page');
    params.set('page', String(page));
    return `${path}?${params.toString()}`;
  };
  const from = data.length > 0 ? (query.page - 1) * query.perPage + 1 : null;
  const links = [
    { url: query.page > 1 ? pageUrl(query.page - 1) : null, label: '&laquo; Previous', active: false },
    ...pageWindow(query.page, lastPage).map((entry) =>
      entry === '...' ? { url: null, label: '...', active: false } : { url: pageUrl(entry), label: String(entry), active: entry === query.page },
    ),
    { url: query.page < lastPage ? pageUrl(query.page + 1) : null, label: 'Next &raquo;', active: false },
  ];
  return {
    current_page: query.page,
    data,
    first_page_url: pageUrl(1),
    from,
    last_page: lastPage,
    last_page_url: pageUrl(lastPage),
    links,
    next_page_url: query.page < lastPage ? pageUrl(query.page + 1) : null,
    path,
    per_page: query.perPage,
    prev_page_url: query.page > 1 ? pageUrl(query.page - 1) : null,
    to: from === null ? null : from + data.length - 1,
    total,
  };
}

export function createSummariesRoutes(ctx: SandboxContext) {
  const limiter = createRateLimiter({ limit: ctx.rateLimitPerMinute, now: ctx.now });
  const app = new Hono();

  app.get('/', async (c) => {
    ctx.stats.userSummariesRequests++;
    const header = c.req.header('Authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const owner = match?.[1] ? await ctx.store.authenticate(match[1]) : undefined;

    // The window is per access token; requests without a valid one share the "guest" window.
    const decision = limiter.hit(owner ? `token:${owner.jti}` : 'guest');
    c.header('x-ratelimit-limit', String(decision.limit));
    c.header('x-ratelimit-remaining', String(decision.remaining));
    if (!decision.allowed) {
      ctx.stats.rateLimitedResponses++;
      c.header('Retry-After', String(decision.retryAfterSeconds ?? 60));
      return c.json({ message: 'Too Many Attempts.' }, 429);
    }
    const member = owner ? ctx.members.find((candidate) => candidate.id === owner.memberId) : undefined;
    if (!member) {
      c.header('WWW-Authenticate', 'Bearer realm="CardioMood sandbox"');
      return c.json({ error: 'Unauthenticated.' }, 401);
    }

    const validation = validateQuery(new URL(c.req.url));
    if (!validation.ok) return c.json({ message: 'The given data was invalid.', errors: validation.errors }, 422);
    const { query } = validation;

    const dates = ctx.summaries.datesWithData(member, query.from, query.to, query.types);
    const pageDates = dates.slice((query.page - 1) * query.perPage, query.page * query.perPage);
    const data = pageDates.map((date) => present(ctx.summaries.day(member, date), query));
    return c.json(paginator(c, ctx.baseUrl(c), data, dates.length, query));
  });

  return app;
}
