import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import type { SandboxClient, SandboxContext } from './sandbox-context';
import { timingSafeEqual } from './random';
import { errorJson, SANDBOX_ERROR } from './sandbox-error';
import type { GrantResult } from './token-store';

/** `POST /oauth/token` (RFC 6749 §4.1.3, §6) and `POST /oauth/revoke` (RFC 7009). */

const MAX_BODY_BYTES = 16 * 1024;

/** Parameters of both endpoints: strings only, bounded; anything else is invalid_request. */
const tokenParamsSchema = z.record(z.string(), z.string().max(4096));
type TokenParams = z.infer<typeof tokenParamsSchema>;

type ParamsResult = { ok: true; params: TokenParams } | { ok: false; description: string };

/** Form-encoded (what real clients send) or JSON; a repeated form parameter is refused (RFC 6749 §3.2). */
async function readParams(c: Context): Promise<ParamsResult> {
  const type = (c.req.header('Content-Type') ?? '').split(';')[0]?.trim().toLowerCase();
  const text = await c.req.text();
  if (type === 'application/x-www-form-urlencoded') {
    const params: TokenParams = {};
    for (const [name, value] of new URLSearchParams(text)) {
      if (name in params) return { ok: false, description: `"${name.slice(0, 40)}" is repeated` };
      params[name] = value;
    }
    const parsed = tokenParamsSchema.safeParse(params);
    return parsed.success ? { ok: true, params: parsed.data } : { ok: false, description: 'A parameter is too long' };
  }
  if (type === 'application/json') {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { ok: false, description: 'The body is not valid JSON' };
    }
    const parsed = tokenParamsSchema.safeParse(json);
    return parsed.success ? { ok: true, params: parsed.data } : { ok: false, description: 'The JSON body must be an object of string parameters' };
  }
  return { ok: false, description: 'Send the parameters as application/x-www-form-urlencoded (or JSON)' };
}

type ClientAuth = { ok: true; client: SandboxClient } | { ok: false; status: 400 | 401; description: string };

/** client_secret_basic or client_secret_post (one of them, RFC 6749 §2.3.1). */
function authenticateClient(ctx: SandboxContext, c: Context, params: TokenParams): ClientAuth {
  const header = c.req.header('Authorization');
  let basic: { id: string; secret: string } | undefined;
  if (header?.toLowerCase().startsWith('basic ')) {
    try {
      const decoded = atob(header.slice(6).trim());
      const colon = decoded.indexOf(':');
      if (colon < 0) throw new Error('no colon');
      // Both halves are form-urlencoded before base64 (RFC 6749 §2.3.1).
      const decode = (part: string) => decodeURIComponent(part.replace(/\+/g, ' '));
      basic = { id: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) };
    } catch {
      return { ok: false, status: 401, description: 'The Basic authorization header is malformed' };
    }
    if (params.client_secret !== undefined) return { ok: false, status: 400, description: 'Use one client authentication method, not Basic and client_secret together' };
    if (params.client_id !== undefined && params.client_id !== basic.id) return { ok: false, status: 401, description: '"client_id" differs from the Basic credentials' };
  }
  const clientId = basic?.id ?? params.client_id;
  const secret = basic?.secret ?? params.client_secret;
  if (!clientId || secret === undefined) return { ok: false, status: 401, description: 'Client authentication is required (client_id and client_secret)' };
  const client = ctx.clients.find((candidate) => candidate.clientId === clientId);
  // The secret is compared even for an unknown client, so timing does not tell which ids exist.
  const secretMatches = timingSafeEqual(secret, client?.clientSecret ?? '\u0000no-client');
  if (!client || !secretMatches) return { ok: false, status: 401, description: 'Client authentication failed' };
  return { ok: true, client };
}

function clientError(c: Context, auth: Extract<ClientAuth, { ok: false }>) {
  if (auth.status === 400) return errorJson(c, 400, SANDBOX_ERROR.INVALID_REQUEST, auth.description);
  c.header('WWW-Authenticate', 'Basic realm="CardioMood sandbox"');
  return errorJson(c, 401, SANDBOX_ERROR.INVALID_CLIENT, auth.description);
}

export function createTokenRoutes(ctx: SandboxContext) {
  const app = new Hono();

  app.use('*', async (c, next) => {
    await next();
    // RFC 6749 §5.1: token responses must not be cached.
    c.res.headers.set('Cache-Control', 'no-store');
    c.res.headers.set('Pragma', 'no-cache');
  });
  app.use(
    '*',
    bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (c) => errorJson(c, 413, SANDBOX_ERROR.PAYLOAD_TOO_LARGE, `The body is larger than ${MAX_BODY_BYTES} bytes`) }),
  );

  app.post('/token', async (c) => {
    const read = await readParams(c);
    if (!read.ok) return errorJson(c, 400, SANDBOX_ERROR.INVALID_REQUEST, read.description);
    const { params } = read;
    const grantType = params.grant_type;
    if (grantType === 'authorization_code' || grantType === 'refresh_token') ctx.stats.tokenRequests[grantType]++;
    else ctx.stats.tokenRequests.other++;

    const auth = authenticateClient(ctx, c, params);
    if (!auth.ok) return clientError(c, auth);
    if (!grantType) return errorJson(c, 400, SANDBOX_ERROR.INVALID_REQUEST, '"grant_type" is required');

    let result: GrantResult;
    if (grantType === 'authorization_code') {
      if (!params.code) return errorJson(c, 400, SANDBOX_ERROR.INVALID_REQUEST, '"code" is required');
      result = await ctx.store.exchangeCode({ clientId: auth.client.clientId, code: params.code, redirectUri: params.redirect_uri, codeVerifier: params.code_verifier });
      if (result.ok) ctx.stats.codeExchanges++;
      else if (result.reuse === 'code') ctx.stats.codeReuseDetections++;
    } else if (grantType === 'refresh_token') {
      if (!params.refresh_token) return errorJson(c, 400, SANDBOX_ERROR.INVALID_REQUEST, '"refresh_token" is required');
      result = await ctx.store.refresh({ clientId: auth.client.clientId, refreshToken: params.refresh_token });
      if (result.ok) ctx.stats.refreshes++;
      else if (result.reuse === 'refresh_token') {
        ctx.stats.reuseDetections++;
        ctx.stats.refreshReuseDetections++;
      }
    } else {
      return errorJson(c, 400, SANDBOX_ERROR.UNSUPPORTED_GRANT_TYPE, 'Only authorization_code and refresh_token grants are supported');
    }
    if (!result.ok) return errorJson(c, 400, result.error, result.description);
    return c.json(result.tokens, 200);
  });

  app.post('/revoke', async (c) => {
    const read = await readParams(c);
    if (!read.ok) return errorJson(c, 400, SANDBOX_ERROR.INVALID_REQUEST, read.description);
    ctx.stats.revokeRequests++;
    const auth = authenticateClient(ctx, c, read.params);
    if (!auth.ok) return clientError(c, auth);
    const token = read.params.token;
    if (!token) return errorJson(c, 400, SANDBOX_ERROR.INVALID_REQUEST, '"token" is required');
    // token_type_hint is only a hint (RFC 7009 §2.1): both kinds are looked up whatever it says.
    if (await ctx.store.revoke(token, auth.client.clientId)) ctx.stats.revocations++;
    return c.body(null, 200);
  });

  return app;
}
