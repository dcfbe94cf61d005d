import { retryAfter } from '../auth/companion-client';
import type { AppError, Result } from '../shared/error-codes';
import { dateRange } from './local-date';
import { summariesPageSchema, summarySchema, type Summary, type SummariesPage } from './summary-schema';

export type ApiError = AppError & { status?: number; retryAfterMs?: number };
export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiError };

export interface SummariesQuery {
  dateFrom: string;
  dateTo: string;
  includeSlots: boolean;
  signal?: AbortSignal;
}

export interface CardioMoodApi {
  /** Every summary in the range, following every page; ascending by date, one per date. */
  fetchSummaries(query: SummariesQuery): Promise<ApiResult<Summary[]>>;
}

/** What we ask for; the server may cap it lower (the envelope's per_page tells). */
export const REQUESTED_PER_PAGE = 100;

/** fetch with the member's Bearer token, refreshing and retrying once on 401 (src/auth). */
export type AuthorizedFetch = (url: string, init?: RequestInit) => Promise<Result<Response>>;

export function userSummariesRequest(
  authorizedFetch: AuthorizedFetch,
  baseUrl: string,
  query: SummariesQuery,
  page: number,
): Promise<Result<Response>> {
  const url = new URL(`${baseUrl}/user-summaries`);
  url.searchParams.set('date_from', query.dateFrom);
  url.searchParams.set('date_to', query.dateTo);
  url.searchParams.set('include_slots', query.includeSlots ? '1' : '0');
  url.searchParams.set('per_page', String(REQUESTED_PER_PAGE));
  url.searchParams.set('page', String(page));
  return authorizedFetch(url.href, {
    method: 'GET',
    // The contract asks for Content-Type on every call, even without a body.
    headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
    signal: query.signal,
  });
}

/** Maps one raw page response to validated summaries plus what pagination needs. */
export async function processUserSummariesResponse(
  response: Response,
): Promise<ApiResult<{ summaries: Summary[]; page: SummariesPage }>> {
  if (!response.ok) {
    const status = response.status;
    if (status === 401) return fail('REAUTH_REQUIRED', 'CardioMood refused the access token (401)', status);
    if (status === 429) return { ok: false, error: { code: 'RATE_LIMITED', message: 'CardioMood rate limit reached (429)', status, ...retryAfter(response) } };
    if (status >= 500) return { ok: false, error: { code: 'SERVER_ERROR', message: `CardioMood failed (HTTP ${status})`, status, ...retryAfter(response) } };
    return fail('MALFORMED_RESPONSE', `CardioMood rejected the request as a client error (HTTP ${status})`, status);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    return fail('MALFORMED_RESPONSE', '/user-summaries did not answer JSON', response.status);
  }
  const page = summariesPageSchema.safeParse(body);
  if (!page.success) {
    return fail('MALFORMED_RESPONSE', `/user-summaries envelope is invalid: ${page.error.issues[0]?.message ?? ''}`, response.status);
  }
  const summaries: Summary[] = [];
  let invalid = 0;
  for (const item of page.data.data) {
    const parsed = summarySchema.safeParse(item);
    if (parsed.success) summaries.push(parsed.data);
    else invalid += 1;
  }
  if (invalid > 0 && summaries.length === 0) {
    return fail('MALFORMED_RESPONSE', `none of the ${invalid} summaries has a valid "date"`, response.status);
  }
  return { ok: true, value: { summaries, page: page.data } };
}

function fail(code: ApiError['code'], message: string, status?: number): { ok: false; error: ApiError } {
  return { ok: false, error: { code, message, ...(status === undefined ? {} : { status }) } };
}

function hasMorePages(page: SummariesPage, pageNumber: number, received: number): boolean {
  const current = page.current_page ?? page.meta?.current_page ?? pageNumber;
  const last = page.last_page ?? page.meta?.last_page;
  if (last !== undefined) return current < last;
  if (page.next_page_url !== undefined) return page.next_page_url !== null;
  const perPage = page.per_page ?? page.meta?.per_page ?? REQUESTED_PER_PAGE;
  return received >= perPage && received > 0;
}

export function createCardioMoodApi(deps: { baseUrl: string; authorizedFetch: AuthorizedFetch }): CardioMoodApi {
  return {
    async fetchSummaries(query) {
      const byDate = new Map<string, Summary>();
      // At most one summary per day, at least one per page: a server that keeps saying "more" past
      // that is lying, not paginating.
      const maxPages = dateRange(query.dateFrom, query.dateTo).length + 1;
      for (let pageNumber = 1; ; pageNumber += 1) {
        if (pageNumber > maxPages) {
          return fail('MALFORMED_RESPONSE', `/user-summaries kept announcing pages beyond ${maxPages}`);
        }
        const sent = await userSummariesRequest(deps.authorizedFetch, deps.baseUrl, query, pageNumber);
        if (!sent.ok) return sent;
        const processed = await processUserSummariesResponse(sent.value);
        if (!processed.ok) return processed;
        for (const summary of processed.value.summaries) byDate.set(summary.date, summary);
        if (!hasMorePages(processed.value.page, pageNumber, processed.value.page.data.length)) break;
      }
      const summaries = [...byDate.values()]
        .filter((summary) => summary.date >= query.dateFrom && summary.date <= query.dateTo)
        .sort((a, b) => a.date.localeCompare(b.date));
      return { ok: true, value: summaries };
    },
  };
}
