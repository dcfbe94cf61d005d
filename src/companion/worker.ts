/**
 * Cloudflare Workers entry: the same app as on Node, configured from the Worker's bindings
 * (`[vars]` and the Durable Object bindings in wrangler.toml, the client secret from
 * `wrangler secret put`). See docs/deploy.md.
 *
 * Rate limits count in one Durable Object per client (RateLimitObject), so the limit is global, not
 * per isolate; the refresh replay window lives in one Durable Object per refresh token
 * (RefreshReplayObject). Both classes are exported from here, as Workers requires.
 */
import type { ExecutionContext } from 'hono';
import { createCompanionApp } from './app';
import { COMPANION_ERROR } from './companion-error';
import { CompanionConfigError } from './config';
import { createDurableObjectRateLimitStore } from './rate-limit-object';
import { createDurableObjectRefreshReplay } from './refresh-replay-object';
import { parseWorkerEnv } from './worker-env';

export { RateLimitObject } from './rate-limit-object';
export { RefreshReplayObject } from './refresh-replay-object';

type WorkerEnv = Record<string, unknown>;

const log = (line: object) => console.log(JSON.stringify(line));

// Bindings arrive with the first request, so the app is built then and kept per env object.
const apps = new WeakMap<object, ReturnType<typeof createCompanionApp>>();

function appFor(env: WorkerEnv) {
  let app = apps.get(env);
  if (!app) {
    const setup = parseWorkerEnv(env);
    app = createCompanionApp(setup.config, {
      // Workers' fetch must not be called as a method of another object ("Illegal invocation").
      fetch: (input, init) => fetch(input, init),
      log,
      // Set by Cloudflare's edge and not forgeable by the client, unlike X-Forwarded-For.
      clientAddress: (c) => c.req.header('cf-connecting-ip'),
      rateLimitStore: createDurableObjectRateLimitStore(setup.rateLimit),
      ...(setup.refreshReplay ? { refreshReplay: createDurableObjectRefreshReplay(setup.refreshReplay) } : {}),
    });
    apps.set(env, app);
  }
  return app;
}

export default {
  async fetch(request: Request, env: WorkerEnv, ctx: ExecutionContext): Promise<Response> {
    let app;
    try {
      app = appFor(env);
    } catch (error) {
      if (!(error instanceof CompanionConfigError)) throw error;
      // Problems name the variable, never the secret's value.
      log({ time: new Date().toISOString(), level: 'error', msg: 'invalid companion configuration', problems: error.problems });
      return Response.json(
        { error: COMPANION_ERROR.SERVER_MISCONFIGURED, error_description: 'The companion is not configured; see its logs' },
        { status: 500, headers: { 'Cache-Control': 'no-store', Pragma: 'no-cache', Vary: 'Origin' } },
      );
    }
    return app.fetch(request, env, ctx);
  },
};
