import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { zValidator } from '@hono/zod-validator';
import { rateLimiter } from 'hono-rate-limiter';
import type { z } from 'zod';
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
import { processRevokeReply, processTokenReply, upstreamFormRequest, type UpstreamReply } from './upstream';

/** The largest valid body (2 KB code + 2 KB redirect URI + verifier) fits; anything bigger is abuse. */
export const MAX_BODY_BYTES = 8 * 1024;

export interface CompanionDeps {
  fetch: typeof fetch;
  now?: () => number;
  /** Receives one structured line per request. Never gets a body, code, token, verifier or secret. */
  log?: (line: object) => void;
  /**
   * The address of the connected peer: the socket address on Node, `cf-connecting-ip` on Workers.
   * The rate-limit key; X-Forwarded-For is used instead only when config.trustProxy > 0.
   */
  clientAddress?: (c: Context) => string | undefined;
}

type CompanionEnv = {
  Variables: {
    errorCode?: string;
    upstreamStatus?: number;
    upstreamMs?: number;
  };
};

const KNOWN_ROUTES = new Set<string>(Object.values(COMPANION_ROUTES));
const TOKEN_PATHS = ['/exchange', '/refresh', '/revoke'] as const;

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
    // Only fixed strings and numbers: the route is logged only when it is one of ours, so a path
    // cannot smuggle a token into the log.
    log({
      time: new Date(started).toISOString(),
      level: status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info',
      request_id: requestId,
      method: c.req.method.length <= 10 ? c.req.method : 'OTHER',
      route: KNOWN_ROUTES.has(c.req.path) ? c.req.path : '(unmatched)',
      status,
      duration_ms: now() - started,
      ...(c.get('errorCode') ? { error: c.get('errorCode') } : {}),
      ...(c.get('upstreamStatus') !== undefined
        ? { upstream_status: c.get('upstreamStatus'), upstream_ms: c.get('upstreamMs') }
        : {}),
    });
  });

  app.route('/healthz', createHealthRoutes());
  app.route('/v1/token', createTokenRoutes(config, { fetch: deps.fetch, now, clientAddress }));

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
  deps: { fetch: typeof fetch; now: () => number; clientAddress: (c: Context) => string | undefined },
) {
  const redact = [config.clientSecret];
  const upstreamOptions = { fetch: deps.fetch, timeoutMs: config.upstreamTimeoutMs, now: deps.now };
  const callUpstream = async (c: Context<CompanionEnv>, url: string, form: Record<string, string | undefined>) => {
    const reply: UpstreamReply = await upstreamFormRequest(url, form, upstreamOptions);
    c.set('upstreamStatus', reply.status);
    c.set('upstreamMs', reply.durationMs);
    return reply;
  };

  const router = new Hono<CompanionEnv>();
  // One set of guards (hence one rate-limit store) shared by the three routes.
  const guards = createTokenGuards(config, deps.clientAddress);
  for (const path of TOKEN_PATHS) router.use(path, ...guards);

  router.post('/exchange', jsonBody(exchangeRequestSchema), async (c) => {
    const request = c.req.valid('json');
    // Checked here, not only at CardioMood: a registered-URI mismatch must never cost an upstream call.
    if (!config.redirectUris.includes(request.redirect_uri)) {
      throw new CompanionError(400, COMPANION_ERROR.INVALID_REQUEST, '"redirect_uri" is not registered with this companion');
    }
    const reply = await callUpstream(c, config.tokenUrl, {
      grant_type: 'authorization_code',
      client_id: config.clientId,
      client_secret: config.clientSecret,
      code: request.code,
      redirect_uri: request.redirect_uri,
      code_verifier: request.code_verifier,
    });
    return c.json(processTokenReply(reply, redact));
  });

  router.post('/refresh', jsonBody(refreshRequestSchema), async (c) => {
    const request = c.req.valid('json');
    const reply = await callUpstream(c, config.tokenUrl, {
      grant_type: 'refresh_token',
      client_id: config.clientId,
      client_secret: config.clientSecret,
      refresh_token: request.refresh_token,
    });
    return c.json(processTokenReply(reply, redact));
  });

  router.post('/revoke', jsonBody(revokeRequestSchema), async (c) => {
    if (!config.revokeUrl) {
      throw new CompanionError(404, COMPANION_ERROR.NOT_CONFIGURED, 'Token revocation is not configured on this companion');
    }
    const request = c.req.valid('json');
    const reply = await callUpstream(c, config.revokeUrl, {
      token: request.token,
      token_type_hint: request.token_type_hint,
      client_id: config.clientId,
      client_secret: config.clientSecret,
    });
    processRevokeReply(reply, redact);
    return c.json({});
  });

  for (const path of TOKEN_PATHS) router.all(path, methodNotAllowed(['POST', 'OPTIONS']));
  return router;
}

/**
 * Order matters: origin first (a foreign page learns nothing else), then the rate limit (so refused
 * requests still count), CORS (answers preflights), the CSRF header, the media type and the size.
 */
function createTokenGuards(
  config: CompanionConfig,
  clientAddress: (c: Context) => string | undefined,
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
    const candidate = hops[hops.length - trustProxy];
    if (candidate) return candidate.slice(0, 64);
  }
  return clientAddress(c)?.slice(0, 64) ?? 'unknown';
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
