import { Hono } from 'hono';
import { z } from 'zod';
import type { SandboxControl } from './create-sandbox';
import { sandboxFaultSchema } from './faults';
import { errorJson, SANDBOX_ERROR } from './sandbox-error';

/**
 * SandboxControl over HTTP under /__sandbox (only with `enableControlRoutes`): for `npm run
 * sandbox` demos and tools running in another process. Never on by default: it can mint tokens.
 */
const faultRequestSchema = z.object({ fault: sandboxFaultSchema, times: z.number().int().min(1).max(10_000).optional() });

export function createControlRoutes(control: SandboxControl) {
  const app = new Hono();
  const json = async (request: Request): Promise<unknown> => request.json().catch(() => undefined);

  app.get('/stats', (c) => c.json(control.stats()));
  app.post('/stats/reset', (c) => {
    control.resetStats();
    return c.body(null, 204);
  });
  app.post('/access-tokens/expire', (c) => {
    control.expireAccessTokens();
    return c.body(null, 204);
  });
  app.post('/access-token-ttl', async (c) => {
    const parsed = z.object({ seconds: z.number().int().min(1) }).safeParse(await json(c.req.raw));
    if (!parsed.success) return errorJson(c, 400, SANDBOX_ERROR.INVALID_REQUEST, 'Send {"seconds": <positive integer>}');
    control.setAccessTokenTtl(parsed.data.seconds);
    return c.body(null, 204);
  });
  app.post('/now', async (c) => {
    const parsed = z.object({ ms: z.number().int().nullable() }).safeParse(await json(c.req.raw));
    if (!parsed.success) return errorJson(c, 400, SANDBOX_ERROR.INVALID_REQUEST, 'Send {"ms": <epoch ms> | null}');
    control.setNow(parsed.data.ms);
    return c.json({ now: control.now() });
  });
  app.post('/faults', async (c) => {
    const parsed = faultRequestSchema.safeParse(await json(c.req.raw));
    if (!parsed.success) return errorJson(c, 400, SANDBOX_ERROR.INVALID_REQUEST, 'Send {"fault": {...}, "times"?: n}');
    control.injectFault(parsed.data.fault, parsed.data.times);
    return c.body(null, 204);
  });
  app.delete('/faults', (c) => {
    control.clearFaults();
    return c.body(null, 204);
  });
  app.post('/tokens', async (c) => {
    const parsed = z.object({ email: z.string().min(1) }).safeParse(await json(c.req.raw));
    if (!parsed.success) return errorJson(c, 400, SANDBOX_ERROR.INVALID_REQUEST, 'Send {"email": "..."}');
    const member = control.members().find((candidate) => candidate.email.toLowerCase() === parsed.data.email.trim().toLowerCase());
    if (!member) return errorJson(c, 404, SANDBOX_ERROR.NOT_FOUND, 'No such member');
    c.header('Cache-Control', 'no-store');
    return c.json(await control.issueTokens(member.email));
  });
  app.get('/members', (c) =>
    c.json(
      control.members().map((member) => ({
        email: member.email,
        timeZone: control.memberTimeZone(member.email),
        localToday: control.memberLocalToday(member.email),
      })),
    ),
  );
  return app;
}
