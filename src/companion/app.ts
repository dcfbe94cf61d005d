import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { zValidator } from '@hono/zod-validator';
import { rateLimiter, type Store } from 'hono-rate-limiter';
import { z } from 'zod';
import {
  COMPANION_CSRF_HEADER,
  COMPANION_CSRF_VALUE,
  COMPANION_ROUTES,
  exchangeRequestSchema,
  refreshRequestSchema,
  revokeRequestSchema,
} from '../shared/companion-api';
import { COMPANION_ERROR, CompanionError } from './companion-error';
import type { CompanionConfig } from './config';
import { isAllowedOrigin } from './is-allowed-origin';
import { createMemoryReplayStore } from './memory-replay-store';
import { rateLimitKey } from './rate-limit-key';
import { createRefreshReplay, type RefreshReplay, type RefreshOutcome, type ReplayStore } from './refresh-replay';
import { createUpstreamClient, type ObserveUpstream, type UpstreamCall, type UpstreamClient } from './upstream';

/** The largest valid body (2 KB code + 2 KB redirect URI + verifier) fits; anything bigger is abuse. */
export const MAX_BODY_BYTES = 8 * 1024;

export interface CompanionDeps {
  fetch: typeof fetch;
  now?: () => number;
  /** Receives one structured line per request. Never gets a body, code, token, verifier or secret. */
  log?: (line: object) => void;
  /**
   * The address of the connected peer: the socket address on Node, `cf-connecting-ip` on Workers.
   * The rate-limit key; X-Forwarded-For is used instead only when config.trustProxy > 0. A request
   * without one is refused: a shared "unknown" bucket would let one client spend everyone's quota.
   */
  clientAddress?: (c: Context) => string | undefined;
  /** Where this instance keeps refresh answers for the replay window (default: its memory). */
  replayStore?: ReplayStore;
  /** Replaces this instance's replay window (Workers: the Durable Object that owns each refresh token). */
  refreshReplay?: RefreshReplay;
  /** The rate limiter's counters (default: this instance's memory; Workers: a Durable Object per client). */
  rateLimitStore?: Store<CompanionEnv>;
}

export type CompanionEnv = {
  Variables: {
    errorCode?: string;
    upstream?: UpstreamCall;
    replay?: RefreshOutcome['replay'] | 'off';
    replayStored?: boolean;
  };
};

/**
 * The shared schema's z.url() trims its input; the companion compares redirect_uri byte for byte
 * with the registered ones, so it takes the string exactly as sent.
 */
const exchangeBodySchema = exchangeRequestSchema.extend({ redirect_uri: z.string().max(2048) });

const KNOWN_ROUTES = new Set<string>(Object.values(COMPANION_ROUTES));
const TOKEN_PATHS = [COMPANION_ROUTES.exchange, COMPANION_ROUTES.refresh, COMPANION_ROUTES.revoke] as const;

/**
 * The companion: a token-exchange endpoint that holds the CardioMood client secret. Reads no env
 * and opens no port; node.ts and worker.ts wire it up. Creating it starts the rate limiter's
 * unref'd cleanup interval, so on Workers it is created inside the first request, not at import.
 */
export function createCompanionApp(config: CompanionConfig, deps: CompanionDeps) {
  const now = deps.now ?? Date.now;
  const log = deps.log ?? (() => undefined);
  const clientAddress = deps.clientAddress ?? (() => undefined);

  const app = new Hono<CompanionEnv>();

  app.use('*', async (c, next) => {
    const started = now();
    const requestId = crypto.randomUUID();
    await next();
    c.res.headers.set('Cache-Control', 'no-store');
    c.res.headers.set('Pragma', 'no-cache');
    c.res.headers.set('X-Content-Type-Options', 'nosniff');
    c.res.headers.set('X-Request-Id', requestId);
    const vary = c.res.headers.get('Vary') ?? '';
    if (!vary.split(',').some((entry) => entry.trim().toLowerCase() === 'origin')) c.res.headers.append('Vary', 'Origin');
    const status = c.res.status;
    const upstream = c.get('upstream');
    const replay = c.get('replay');
    // Only fixed strings and numbers: the route is logged only when it is one of ours, so a path
    // cannot smuggle a token into the log; CardioMood's error text arrives scrubbed (upstream.ts).
    log({
      time: new Date(started).toISOString(),
      level: status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info',
      request_id: requestId,
      method: c.req.method.length <= 10 ? c.req.method : 'OTHER',
      route: KNOWN_ROUTES.has(c.req.path) ? c.req.path : '(unmatched)',
      status,
      duration_ms: now() - started,
      ...(c.get('errorCode') ? { error: c.get('errorCode') } : {}),
      ...(upstream ? { upstream_status: upstream.status, upstream_ms: upstream.durationMs } : {}),
      ...(upstream?.error ? { upstream_error: upstream.error } : {}),
      ...(upstream?.errorDescription ? { upstream_error_description: upstream.errorDescription } : {}),
      ...(replay ? { replay } : {}),
      ...(c.get('replayStored') === false ? { replay_stored: false } : {}),
    });
  });

  app.route(COMPANION_ROUTES.health, createHealthRoutes());
  const upstream = createUpstreamClient(config, { fetch: deps.fetch, now });
  const refreshReplay =
    deps.refreshReplay ??
    (config.refreshReplaySeconds > 0
      ? createRefreshReplay({
          store: deps.replayStore ?? createMemoryReplayStore({ now }),
          windowSeconds: config.refreshReplaySeconds,
          now,
          upstream: (refreshToken, options) => upstream.refresh(refreshToken, options),
          answerWithinMs: config.upstreamTimeoutMs,
        })
      : undefined);
  app.route(
    '/',
    createTokenRoutes(config, { upstream, refreshReplay, clientAddress, ...(deps.rateLimitStore ? { rateLimitStore: deps.rateLimitStore } : {}) }),
  );

  app.notFound((c) => errorResponse(c, new CompanionError(404, COMPANION_ERROR.NOT_FOUND, 'No such route')));
  app.onError((error, c) => errorResponse(c, toCompanionError(error)));
  return app;
}

function createHealthRoutes() {
  return new Hono<CompanionEnv>()
    .get('/', (c) => c.json({ status: 'ok' }))
    .all('/', methodNotAllowed(['GET', 'HEAD']));
}

function createTokenRoutes(
  config: CompanionConfig,
  deps: {
    upstream: UpstreamClient;
    refreshReplay: RefreshReplay | undefined;
    clientAddress: (c: Context) => string | undefined;
    rateLimitStore?: Store<CompanionEnv>;
  },
) {
  const { upstream, refreshReplay } = deps;
  const observe =
    (c: Context<CompanionEnv>): ObserveUpstream =>
    (call) =>
      c.set('upstream', call);

  const router = new Hono<CompanionEnv>();
  // One set of guards (hence one rate-limit store) shared by the three routes.
  const guards = createTokenGuards(config, deps.clientAddress, deps.rateLimitStore);
  for (const path of TOKEN_PATHS) router.use(path, ...guards);

  router.post(COMPANION_ROUTES.exchange, jsonBody(exchangeBodySchema), async (c) => {
    const request = c.req.valid('json');
    // Checked here, not only at CardioMood: a registered-URI mismatch must never cost an upstream call.
    if (!config.redirectUris.includes(request.redirect_uri)) {
      throw new CompanionError(400, COMPANION_ERROR.INVALID_REQUEST, '"redirect_uri" is not registered with this companion');
    }
    return c.json(await upstream.exchange(request, { observe: observe(c) }));
  });

  router.post(COMPANION_ROUTES.refresh, jsonBody(refreshRequestSchema), async (c) => {
    const request = c.req.valid('json');
    // Without a nonce (older extensions) there is no replay: a replay must be bound to one.
    if (!refreshReplay || request.replay_nonce === undefined) {
      c.set('replay', 'off');
      return c.json(await upstream.refresh(request.refresh_token, { observe: observe(c) }));
    }
    const pending = refreshReplay({ refreshToken: request.refresh_token, nonce: request.replay_nonce }, { observe: observe(c) });
    keepAlive(c, pending);
    const outcome = await pending;
    c.set('replay', outcome.replay);
    if (outcome.stored === false) c.set('replayStored', false);
    return c.json(outcome.tokens);
  });

  router.post(COMPANION_ROUTES.revoke, jsonBody(revokeRequestSchema), async (c) => {
    if (!config.revokeUrl) {
      throw new CompanionError(404, COMPANION_ERROR.NOT_CONFIGURED, 'Token revocation is not configured on this companion');
    }
    await upstream.revoke(c.req.valid('json'), { observe: observe(c) });
    return c.json({});
  });

  for (const path of TOKEN_PATHS) router.all(path, methodNotAllowed(['POST', 'OPTIONS']));
  return router;
}

/**
 * On Workers a request's work is cancelled when its client disconnects; a refresh that CardioMood
 * may already have carried out must still reach the replay window, so it is kept alive. Node runs
 * handlers to completion and has no execution context.
 */
function keepAlive(c: Context, work: Promise<unknown>) {
  let executionCtx: Context['executionCtx'];
  try {
    executionCtx = c.executionCtx;
  } catch {
    return; // Hono throws when there is no execution context: Node.
  }
  executionCtx.waitUntil(work.catch(() => undefined));
}

/**
 * Order matters: origin first (a foreign page learns nothing else), then the rate limit (so refused
 * requests still count), CORS (answers preflights), the CSRF header, the media type and the size.
 */
function createTokenGuards(
  config: CompanionConfig,
  clientAddress: (c: Context) => string | undefined,
  rateLimitStore: Store<CompanionEnv> | undefined,
): MiddlewareHandler<CompanionEnv>[] {
  const originGuard: MiddlewareHandler<CompanionEnv> = async (c, next) => {
    const origin = c.req.header('Origin');
    if (origin === undefined) {
      // A preflight always carries Origin; without one this is not a browser asking permission.
      if (c.req.method === 'OPTIONS') {
        throw new CompanionError(403, COMPANION_ERROR.ORIGIN_NOT_ALLOWED, 'A CORS preflight must carry an Origin header');
      }
    } else if (!isAllowedOrigin(origin, config.allowedOrigins)) {
      throw new CompanionError(403, COMPANION_ERROR.ORIGIN_NOT_ALLOWED, 'This origin may not call the companion');
    }
    await next();
  };

  const limiter = rateLimiter<CompanionEnv>({
    windowMs: 60_000,
    limit: config.rateLimitPerMinute,
    standardHeaders: 'draft-6',
    // Browsers send a preflight before each call; counting it would halve the quota.
    skip: (c) => c.req.method === 'OPTIONS',
    keyGenerator: (c) => clientKey(c, config.trustProxy, clientAddress),
    ...(rateLimitStore ? { store: rateLimitStore } : {}),
    handler: (c) => {
      throw new CompanionError(429, COMPANION_ERROR.RATE_LIMITED, 'Too many requests; retry later', {
        'Retry-After': c.res.headers.get('Retry-After') ?? '60',
      });
    },
  });

  const corsHeaders = cors({
    // Reached only by allowed origins (originGuard), so this names the request's own origin.
    origin: (origin) => (isAllowedOrigin(origin, config.allowedOrigins) ? origin : null),
    allowMethods: ['POST'],
    allowHeaders: ['Content-Type', COMPANION_CSRF_HEADER],
    exposeHeaders: ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'Retry-After', 'X-Request-Id'],
    maxAge: 600,
  });

  const csrfGuard: MiddlewareHandler<CompanionEnv> = async (c, next) => {
    if (c.req.method === 'POST' && c.req.header(COMPANION_CSRF_HEADER) !== COMPANION_CSRF_VALUE) {
      throw new CompanionError(
        403,
        COMPANION_ERROR.CSRF_HEADER_MISSING,
        `The ${COMPANION_CSRF_HEADER}: ${COMPANION_CSRF_VALUE} header is required`,
      );
    }
    await next();
  };

  const mediaTypeGuard: MiddlewareHandler<CompanionEnv> = async (c, next) => {
    if (c.req.method === 'POST') {
      const mediaType = c.req.header('Content-Type')?.split(';')[0]?.trim().toLowerCase();
      if (mediaType !== 'application/json') {
        throw new CompanionError(415, COMPANION_ERROR.UNSUPPORTED_MEDIA_TYPE, 'Content-Type must be application/json');
      }
    }
    await next();
  };

  const sizeGuard = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw new CompanionError(413, COMPANION_ERROR.PAYLOAD_TOO_LARGE, `The body must be at most ${MAX_BODY_BYTES} bytes`);
    },
  });

  return [originGuard, limiter, corsHeaders, csrfGuard, mediaTypeGuard, sizeGuard];
}

/** zod validation of the JSON body; failures become invalid_request naming the field, never its value. */
function jsonBody<T extends z.ZodType>(schema: T) {
  return zValidator('json', schema, (result) => {
    if (!result.success) {
      const issue = result.error.issues[0];
      const where = issue?.path.length ? `"${issue.path.join('.')}": ` : '';
      throw new CompanionError(400, COMPANION_ERROR.INVALID_REQUEST, `${where}${issue?.message ?? 'invalid body'}`.slice(0, 200));
    }
  });
}

function methodNotAllowed(allow: string[]): MiddlewareHandler<CompanionEnv> {
  return () => {
    throw new CompanionError(405, COMPANION_ERROR.METHOD_NOT_ALLOWED, 'Method not allowed on this route', {
      Allow: allow.join(', '),
    });
  };
}

function clientKey(c: Context, trustProxy: number, clientAddress: (c: Context) => string | undefined): string {
  if (trustProxy > 0) {
    // Each trusted proxy appends the address it saw, so the entry `trustProxy` from the right is the
    // first one a client could not have forged.
    const hops = (c.req.header('X-Forwarded-For') ?? '').split(',').map((entry) => entry.trim()).filter(Boolean);
    const forwarded = hops[hops.length - trustProxy];
    const key = forwarded === undefined ? undefined : rateLimitKey(forwarded);
    if (key) return key;
  }
  const address = clientAddress(c);
  const key = address === undefined ? undefined : rateLimitKey(address);
  if (!key) {
    throw new CompanionError(400, COMPANION_ERROR.INVALID_REQUEST, 'The client address is unknown, so no rate limit could apply');
  }
  return key;
}

function toCompanionError(error: Error): CompanionError {
  if (error instanceof CompanionError) return error;
  if (error instanceof HTTPException) {
    // Hono's own: malformed JSON or a Content-Type its JSON validator rejects (both 400).
    const status = error.status as ContentfulStatusCode;
    return new CompanionError(
      status,
      status === 413 ? COMPANION_ERROR.PAYLOAD_TOO_LARGE : status < 500 ? COMPANION_ERROR.INVALID_REQUEST : COMPANION_ERROR.SERVER_ERROR,
      status < 500 ? error.message.slice(0, 200) || 'Bad request' : 'Internal error',
    );
  }
  return new CompanionError(500, COMPANION_ERROR.SERVER_ERROR, 'Internal error');
}

function errorResponse(c: Context<CompanionEnv>, error: CompanionError) {
  c.set('errorCode', error.code);
  return c.json({ error: error.code, error_description: error.description }, error.status, error.headers);
}
