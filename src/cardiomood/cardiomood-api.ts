import type { AppError, ErrorCode, Result } from '../shared/error-codes';
import { daysBetween, isCalendarDate } from '../shared/local-date';
import { retryAfterOf } from '../shared/retry-after';
import { pageInfoOf, summariesPageSchema, summarySchema, type PageInfo, type Summary } from './summary-schema';

/**
 * The CardioMood `/user-summaries` client, in the oauth4webapi style: `userSummariesRequest()` sends
 * one page and returns the raw Response, `processUserSummariesResponse()` turns it into validated data
 * or a coded error, and `createCardioMoodApi()` walks every page. Background (service worker) only.
 */

/** An AppError with what the caller needs to back off or explain. */
export type ApiError = AppError & {
  /** HTTP status, when CardioMood answered. */
  status?: number;
  /** From Retry-After (429, 503), in ms from when the response arrived. */
  retryAfterMs?: number;
  /** True when the caller's AbortSignal ended the request. */
  aborted?: true;
  /** The underlying problem (a ZodError for a schema mismatch, the SyntaxError for bad JSON). */
  cause?: unknown;
};
export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiError };

export interface SummariesQuery {
  /** First day, `YYYY-MM-DD`, inclusive (the member's local day). */
  dateFrom: string;
  /** Last day, inclusive. */
  dateTo: string;
  /** `include_slots=1`: add the intraday slot arrays (only for a day or two: they are large). */
  includeSlots: boolean;
  signal?: AbortSignal;
}

export interface CardioMoodApi {
  /** Every summary in the range, following every page; ascending by date, one per date. */
  fetchSummaries(query: SummariesQuery): Promise<ApiResult<Summary[]>>;
}

/** fetch with the member's Bearer token, refreshing and retrying once on 401 (src/auth). */
export type AuthorizedFetch = (url: string, init?: RequestInit) => Promise<Result<Response>>;

export interface CardioMoodApiDeps {
  /** e.g. `https://api.health.cloud.cardiomood.com` (configurable: several hosts serve this API, docs/cardiomood-api.md §1). */
  baseUrl: string;
  authorizedFetch: AuthorizedFetch;
  /** Per page request; a request that hangs would otherwise hold every later refresh. Default 30 s. */
  timeoutMs?: number;
  /** Clock for Retry-After HTTP-dates. */
  now?: () => number;
}

/** What we ask for (the most any known client uses, §11 #10); the server may cap it lower. */
export const REQUESTED_PER_PAGE = 100;
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Pages requested at the same time once the first page said how many there are. */
export const PAGE_CONCURRENCY = 3;
/** The key of fetches made without a signal (WeakMap keys must be objects). */
const NO_SIGNAL = {};
const ENDPOINT = '/user-summaries';

export interface PageRequest {
  page: number;
  signal?: AbortSignal;
}

/**
 * Sends one page request. The page URL is always built from our base URL, never taken from the
 * envelope's `next_page_url`: following a server-supplied URL could send the Bearer token to another host.
 */
export function userSummariesRequest(
  authorizedFetch: AuthorizedFetch,
  baseUrl: string,
  query: Omit<SummariesQuery, 'signal'>,
  request: PageRequest,
): Promise<Result<Response>> {
  const url = new URL(`${baseUrl.replace(/\/+$/, '')}${ENDPOINT}`);
  url.searchParams.set('date_from', query.dateFrom);
  url.searchParams.set('date_to', query.dateTo);
  url.searchParams.set('include_slots', query.includeSlots ? '1' : '0');
  url.searchParams.set('per_page', String(REQUESTED_PER_PAGE));
  url.searchParams.set('page', String(request.page));
  return authorizedFetch(url.href, {
    method: 'GET',
    // The contract asks for Content-Type on every call (§3.1), even without a body.
    headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
    ...(request.signal ? { signal: request.signal } : {}),
  });
}

export interface SummariesPageResult {
  summaries: Summary[];
  /** How many items `data` held (valid or not): what "a short page" is measured by. */
  received: number;
  pageInfo: PageInfo;
}

function failure(code: ErrorCode, message: string, extra: Omit<ApiError, 'code' | 'message'> = {}): { ok: false; error: ApiError } {
  return { ok: false, error: { code, message, ...extra } };
}

/** The start of a body for an error message: one line, short, so a log shows what came back. */
function excerpt(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(line.length > 60 ? `${line.slice(0, 60)}…` : line);
}

/** `data[3].heart_rate` style path of a zod issue. */
function issuePath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '');
}

/**
 * Maps one raw page response to validated summaries plus what pagination needs.
 * Statuses: 401 (already after authorizedFetch's refresh-and-retry) → REAUTH_REQUIRED; 429 → RATE_LIMITED
 * and 5xx → SERVER_ERROR, both with Retry-After; any other non-2xx (422 bad dates, 400, 403, 404…)
 * → MALFORMED_RESPONSE saying it was a client error. The body is read only for 2xx: the contract says
 * to branch on the status, not the error body (§11 #18).
 */
export async function processUserSummariesResponse(
  response: Response,
  now: number = Date.now(),
): Promise<ApiResult<SummariesPageResult>> {
  const { status } = response;
  if (!response.ok) {
    const retry = retryAfterOf(response, now);
    // Nobody reads the body of a failed response: release it.
    await response.body?.cancel().catch(() => undefined);
    if (status === 401) return failure('REAUTH_REQUIRED', `CardioMood refused the access token (HTTP 401 on ${ENDPOINT})`, { status });
    if (status === 429) return failure('RATE_LIMITED', `CardioMood rate limit reached (HTTP 429 on ${ENDPOINT})`, { status, ...retry });
    if (status >= 500) return failure('SERVER_ERROR', `CardioMood failed (HTTP ${status} on ${ENDPOINT})`, { status, ...retry });
    if (status >= 400) {
      return failure('MALFORMED_RESPONSE', `CardioMood rejected the request as a client error (HTTP ${status} on ${ENDPOINT})`, { status });
    }
    return failure('MALFORMED_RESPONSE', `unexpected HTTP ${status} from ${ENDPOINT}`, { status });
  }

  // Read text first so a non-JSON body can be quoted in the message.
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (cause) {
    return failure('MALFORMED_RESPONSE', `${ENDPOINT} answered HTTP ${status} with a body that is not JSON: ${excerpt(text)}`, {
      status,
      cause,
    });
  }
  const page = summariesPageSchema.safeParse(body);
  if (!page.success) {
    const issue = page.error.issues[0];
    const where = issue ? issuePath(issue.path) || 'the body' : 'the body';
    return failure('MALFORMED_RESPONSE', `${ENDPOINT} envelope is invalid: "${where}" ${issue?.message ?? ''}`.trim(), {
      status,
      cause: page.error,
    });
  }

  // Items are validated one by one: a day without a usable date is skipped, the other days kept.
  const summaries: Summary[] = [];
  let firstInvalid: { index: number; error: unknown; where: string } | null = null;
  page.data.data.forEach((item, index) => {
    const parsed = summarySchema.safeParse(item);
    if (parsed.success) summaries.push(parsed.data);
    else if (!firstInvalid) {
      const issue = parsed.error.issues[0];
      firstInvalid = { index, error: parsed.error, where: issue ? issuePath(issue.path) : '' };
    }
  });
  const received = page.data.data.length;
  if (received > 0 && summaries.length === 0 && firstInvalid) {
    // Nothing on the page is a summary: the server is not speaking this contract.
    const { index, error, where } = firstInvalid;
    return failure('MALFORMED_RESPONSE', `none of the ${received} items in "data" is a summary: "data[${index}]${where ? `.${where}` : ''}" is invalid`, {
      status,
      cause: error,
    });
  }
  return { ok: true, value: { summaries, received, pageInfo: pageInfoOf(page.data) } };
}

/**
 * Whether to ask for the next page, from the envelope (either shape) and how many items came back.
 * - an empty page ends it (nothing to gain, and it stops a server that answers every page with []);
 * - a page shorter than the envelope's `per_page` ends it. We only trust a `per_page` at most what we
 *   asked for: a server may cap it lower (and then says so here), but one that claims more than we
 *   asked for cannot have sent more;
 * - otherwise a non-empty `next_page_url` (or `links.next`) continues, and `current_page < last_page`
 *   continues when both are given;
 * - an envelope that says nothing about pages falls back to the contract's rule (§11 #9): a full page
 *   (as many items as we asked for) means there may be more.
 */
export function hasNextPage(info: PageInfo, received: number, pageNumber: number): boolean {
  if (received === 0) return false;
  const perPage = info.perPage !== undefined && info.perPage <= REQUESTED_PER_PAGE ? info.perPage : undefined;
  if (perPage !== undefined && received < perPage) return false;
  if (typeof info.nextPageUrl === 'string' && info.nextPageUrl.trim() !== '') return true;
  if (info.lastPage !== undefined) return (info.currentPage ?? pageNumber) < info.lastPage;
  if (info.nextPageUrl === null) return false;
  return received >= (perPage ?? REQUESTED_PER_PAGE);
}

/**
 * The last page the envelope announces: `last_page`, else `total` over a trusted `per_page`; 1 when it
 * says neither (then pages are asked for one by one, as `hasNextPage` allows).
 */
export function lastPageOf(info: PageInfo): number {
  if (info.lastPage !== undefined) return Math.max(1, info.lastPage);
  const perPage = info.perPage !== undefined && info.perPage <= REQUESTED_PER_PAGE ? info.perPage : undefined;
  if (info.total !== undefined && perPage !== undefined && perPage > 0) return Math.max(1, Math.ceil(info.total / perPage));
  return 1;
}

/** `promise`, or a rejection with the signal's reason as soon as `signal` aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export function createCardioMoodApi(deps: CardioMoodApiDeps): CardioMoodApi {
  const timeoutMs = deps.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const now = deps.now ?? Date.now;

  /** One page: request + process, bounded by our timeout and the caller's signal. */
  async function fetchPage(query: SummariesQuery, page: number): Promise<ApiResult<SummariesPageResult>> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError'));
    }, timeoutMs);
    const onAbort = () => controller.abort(query.signal?.reason);
    query.signal?.addEventListener('abort', onAbort, { once: true });
    const ended = (cause?: unknown): { ok: false; error: ApiError } | null => {
      if (query.signal?.aborted) return failure('NETWORK_ERROR', `the request to ${ENDPOINT} was aborted`, { aborted: true, cause });
      if (timedOut) return failure('SERVER_ERROR', `CardioMood did not answer ${ENDPOINT} within ${timeoutMs / 1000} s`, { cause });
      return null;
    };
    try {
      let sent: Result<Response>;
      try {
        // Raced against the abort so that an authorizedFetch that ignores the signal (waiting on a
        // token refresh, say) cannot keep us waiting past an abort or our timeout.
        sent = await untilAborted(
          userSummariesRequest(deps.authorizedFetch, deps.baseUrl, query, { page, signal: controller.signal }),
          controller.signal,
        );
      } catch (error) {
        // authorizedFetch (src/auth) rethrows aborts (and only those); anything else is a bug: rethrow.
        const translated = ended(error);
        if (translated) return translated;
        throw error;
      }
      if (!sent.ok) return sent;
      try {
        return await untilAborted(processUserSummariesResponse(sent.value, now()), controller.signal);
      } catch (error) {
        // Reading the body fails when the request is aborted or times out half-way.
        const translated = ended(error);
        if (translated) return translated;
        return failure('NETWORK_ERROR', `the connection broke while reading ${ENDPOINT}`, { cause: error });
      }
    } finally {
      clearTimeout(timer);
      query.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Pages 1…n of one range, with up to PAGE_CONCURRENCY requests in flight once page 1 announced n. */
  async function walkPages(query: SummariesQuery): Promise<ApiResult<Summary[]>> {
    // Honest pagination brings at least one new day per page, so there can never be more pages than
    // days in the range (+1 for a final empty page). Beyond that the envelope is lying.
    const maxPages = daysBetween(query.dateFrom, query.dateTo) + 2;
    // Requests ahead of the page being read are cancelled when the walk stops early or fails.
    const ahead = new AbortController();
    const onAbort = () => ahead.abort(query.signal?.reason);
    query.signal?.addEventListener('abort', onAbort, { once: true });
    const started = new Map<number, Promise<ApiResult<SummariesPageResult>>>();
    const start = (page: number) => {
      if (!started.has(page)) started.set(page, fetchPage({ ...query, signal: ahead.signal }, page));
    };
    /** The last page page 1 announced (never past the bound): pages we may ask for before reading. */
    let announced = 1;
    const byDate = new Map<string, Summary>();
    const seen = new Set<string>();
    try {
      for (let page = 1; ; page += 1) {
        if (page > maxPages) {
          return failure('MALFORMED_RESPONSE', `${ENDPOINT} kept announcing more pages after ${maxPages} pages for ${maxPages - 1} days`);
        }
        for (let next = page; next <= Math.max(page, Math.min(announced, page + PAGE_CONCURRENCY - 1)); next += 1) start(next);
        const result = await started.get(page)!;
        started.delete(page);
        // A request cancelled because the caller aborted answers as the caller's abort.
        if (!result.ok) return query.signal?.aborted ? failure('NETWORK_ERROR', `the request to ${ENDPOINT} was aborted`, { aborted: true }) : result;
        if (page === 1) announced = Math.min(maxPages, lastPageOf(result.value.pageInfo));
        let fresh = 0;
        for (const summary of result.value.summaries) {
          if (!seen.has(summary.date)) fresh += 1;
          seen.add(summary.date);
          // Days outside the range are not ours to show (inclusive bounds are not documented, §11 #11).
          if (summary.date >= query.dateFrom && summary.date <= query.dateTo) byDate.set(summary.date, summary); // last wins
        }
        if (!hasNextPage(result.value.pageInfo, result.value.received, page)) break;
        // A page that brings no new day (a server ignoring `page`, repeating itself): more pages of
        // the same would not help, and what we have is all it will give.
        if (fresh === 0) break;
      }
    } finally {
      query.signal?.removeEventListener('abort', onAbort);
      if (started.size > 0) ahead.abort(new DOMException('the pages were not needed', 'AbortError'));
    }
    return { ok: true, value: [...byDate.values()].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0)) };
  }

  /** Walks in flight, per caller's signal (one session's work never shares another's) and range. */
  const walking = new WeakMap<AbortSignal | typeof NO_SIGNAL, Map<string, Promise<ApiResult<Summary[]>>>>();

  return {
    async fetchSummaries(query) {
      for (const [name, date] of [['dateFrom', query.dateFrom], ['dateTo', query.dateTo]] as const) {
        if (!isCalendarDate(date)) return failure('INVALID_MESSAGE', `"${name}" ${JSON.stringify(date)} is not a YYYY-MM-DD calendar date`);
      }
      if (query.dateFrom > query.dateTo) return { ok: true, value: [] };
      if (query.signal?.aborted) return failure('NETWORK_ERROR', `the request to ${ENDPOINT} was aborted`, { aborted: true });
      // The same range asked for again while it is being fetched (the popup and the side panel opening
      // together, an alarm during a refresh) shares that fetch instead of asking CardioMood twice.
      const owner = query.signal ?? NO_SIGNAL;
      const ranges = walking.get(owner) ?? new Map<string, Promise<ApiResult<Summary[]>>>();
      walking.set(owner, ranges);
      const key = `${query.dateFrom}/${query.dateTo}/${query.includeSlots ? 'slots' : 'values'}`;
      let walk = ranges.get(key);
      if (!walk) {
        walk = walkPages(query).finally(() => ranges.delete(key));
        ranges.set(key, walk);
      }
      return walk;
    },
  };
}
