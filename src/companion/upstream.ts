import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { oauthErrorSchema, tokenResponseSchema, type TokenResponse } from '../shared/token-response';
import { COMPANION_ERROR, CompanionError } from './companion-error';

/** Token responses are a few hundred bytes; anything far larger is not one. */
const MAX_UPSTREAM_BODY_CHARS = 64 * 1024;

/** RFC 6749 §5.2: error is NQSCHAR (%x20-21 / %x23-5B / %x5D-7E); we also refuse spaces. */
const OAUTH_ERROR_CODE = /^[\x21\x23-\x5B\x5D-\x7E]{1,64}$/;

/** What CardioMood answered, read completely within the timeout. */
export interface UpstreamReply {
  status: number;
  headers: Headers;
  text: string;
  durationMs: number;
}

export interface UpstreamRequestOptions {
  fetch: typeof fetch;
  timeoutMs: number;
  now: () => number;
}

/**
 * POSTs an application/x-www-form-urlencoded body (client auth in the body, as CardioMood expects)
 * and reads the whole reply. The timeout covers headers and body: a server that sends headers and
 * then stalls is as dead as one that never answers. Redirects are not followed, because following
 * a 307/308 would resend the client secret to wherever it points.
 */
export async function upstreamFormRequest(
  url: string,
  form: Record<string, string | undefined>,
  { fetch: upstreamFetch, timeoutMs, now }: UpstreamRequestOptions,
): Promise<UpstreamReply> {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(form)) if (value !== undefined) body.set(key, value);
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new CompanionError(504, COMPANION_ERROR.UPSTREAM_TIMEOUT, `CardioMood did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  const started = now();
  const exchange = async (): Promise<UpstreamReply> => {
    let response: Response;
    try {
      response = await upstreamFetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: body.toString(),
        redirect: 'manual',
        signal: controller.signal,
      });
    } catch (error) {
      if (controller.signal.aborted) throw error;
      // Only the class name: fetch error messages can include the URL, which is configuration but
      // still nothing a browser client needs.
      throw new CompanionError(502, COMPANION_ERROR.UPSTREAM_UNREACHABLE, 'CardioMood could not be reached');
    }
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, durationMs: now() - started };
  };
  try {
    return await Promise.race([exchange(), timedOut]);
  } finally {
    clearTimeout(timer);
    // The losing promise must not surface as an unhandled rejection.
    timedOut.catch(() => undefined);
  }
}

/**
 * Turns CardioMood's token endpoint reply into the validated token response, or throws the one
 * CompanionError the client should see. Only fields of tokenResponseSchema leave this function.
 */
export function processTokenReply(reply: UpstreamReply, redact: readonly string[]): TokenResponse {
  if (reply.status !== 200) throw upstreamFailure(reply, redact);
  const parsed = tokenResponseSchema.safeParse(parseJson(reply.text));
  if (!parsed.success) {
    throw new CompanionError(502, COMPANION_ERROR.UPSTREAM_ERROR, 'CardioMood sent a token response that does not match the contract');
  }
  return parsed.data;
}

/**
 * RFC 7009 §2.2: 200 means revoked (or already invalid); the body carries nothing we need. Any 2xx
 * is accepted because some servers answer 204 here.
 */
export function processRevokeReply(reply: UpstreamReply, redact: readonly string[]): void {
  if (reply.status < 200 || reply.status > 299) throw upstreamFailure(reply, redact);
}

function upstreamFailure(reply: UpstreamReply, redact: readonly string[]): CompanionError {
  if (reply.status === 429) {
    const retryAfter = reply.headers.get('Retry-After');
    return new CompanionError(
      429,
      COMPANION_ERROR.RATE_LIMITED,
      'CardioMood rate limit reached; retry later',
      retryAfter && isRetryAfter(retryAfter) ? { 'Retry-After': retryAfter } : {},
    );
  }
  if (reply.status >= 400 && reply.status < 500) {
    const oauthError = oauthErrorSchema.safeParse(parseJson(reply.text));
    if (oauthError.success && OAUTH_ERROR_CODE.test(oauthError.data.error)) {
      // Pass through exactly error + error_description, with the secret scrubbed in case the
      // server echoes the request (defence in depth; CardioMood is not known to do this).
      return new CompanionError(
        reply.status as ContentfulStatusCode,
        oauthError.data.error,
        scrub(oauthError.data.error_description ?? oauthError.data.error, redact).slice(0, 500),
      );
    }
  }
  return new CompanionError(502, COMPANION_ERROR.UPSTREAM_ERROR, `CardioMood answered HTTP ${reply.status} without a usable body`);
}

function parseJson(text: string): unknown {
  if (text.length > MAX_UPSTREAM_BODY_CHARS) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Delay-seconds or an HTTP-date (RFC 9110 §10.2.3); anything else is dropped rather than forwarded. */
function isRetryAfter(value: string): boolean {
  return /^\d{1,7}$/.test(value) || (value.length <= 40 && /^[A-Za-z0-9 ,:]+$/.test(value) && !Number.isNaN(Date.parse(value)));
}

function scrub(text: string, redact: readonly string[]): string {
  let result = text;
  for (const secret of redact) if (secret) result = result.split(secret).join('[redacted]');
  return result;
}
