import type { Context, MiddlewareHandler } from 'hono';
import { z } from 'zod';

export const FAULT_ROUTES = ['token', 'user-summaries', 'revoke', 'authorize'] as const;
export type FaultRoute = (typeof FAULT_ROUTES)[number];

const route = z.enum(FAULT_ROUTES);

/** A failure the next matching request(s) get instead of (or, for delay, before) the real answer. */
export const sandboxFaultSchema = z.discriminatedUnion('kind', [
  z.object({ route, kind: z.literal('delay'), ms: z.number().int().min(0).max(120_000) }),
  z.object({
    route,
    kind: z.literal('status'),
    status: z.number().int().min(200).max(599),
    /** Sent as JSON when an object, as-is when a string; default an RFC 6749 style server_error. */
    body: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
    /** Seconds, sent as Retry-After. */
    retryAfter: z.number().int().min(0).optional(),
  }),
  /** The TCP connection is destroyed without any response. */
  z.object({ route, kind: z.literal('drop') }),
  /**
   * The request is carried out for real (on the token route: the grant happens, a refresh token
   * rotates, new tokens are issued) and then the connection is destroyed instead of answering: the
   * client never learns what it was granted.
   */
  z.object({ route, kind: z.literal('grant-then-drop') }),
  /** 200 with a body that is not valid JSON. */
  z.object({ route, kind: z.literal('malformed') }),
]);
export type SandboxFault = z.infer<typeof sandboxFaultSchema>;

const ROUTE_PATHS: Record<FaultRoute, string> = {
  token: '/oauth/token',
  'user-summaries': '/user-summaries',
  revoke: '/oauth/revoke',
  authorize: '/oauth/authorize',
};

export type FaultQueue = ReturnType<typeof createFaultQueue>;

export function createFaultQueue(onApplied: (fault: SandboxFault) => void) {
  let queue: { fault: SandboxFault; remaining: number }[] = [];

  function take(path: string): SandboxFault | undefined {
    const entry = queue.find((item) => ROUTE_PATHS[item.fault.route] === path && item.remaining > 0);
    if (!entry) return undefined;
    entry.remaining--;
    queue = queue.filter((item) => item.remaining > 0);
    onApplied(entry.fault);
    return entry.fault;
  }

  const middleware: MiddlewareHandler = async (c, next) => {
    const fault = take(c.req.path);
    if (!fault) return next();
    switch (fault.kind) {
      case 'delay':
        await new Promise((resolve) => setTimeout(resolve, fault.ms));
        return next();
      case 'status':
        return statusResponse(fault);
      case 'malformed':
        return c.body('{"data": [{"date": "2024-03-01", "activity": {"total_st', 200, { 'Content-Type': 'application/json' });
      case 'drop':
        return drop(c);
      case 'grant-then-drop':
        await next();
        // The answer is complete; after next() Hono ignores a returned Response, so it is replaced.
        c.res = drop(c);
        return;
    }
  };

  return {
    add(fault: SandboxFault, times = 1): void {
      const parsed = sandboxFaultSchema.parse(fault);
      if (!Number.isInteger(times) || times < 1) throw new RangeError('times must be a positive whole number');
      queue.push({ fault: parsed, remaining: times });
    },
    clear(): void {
      queue = [];
    },
    pending(): number {
      return queue.reduce((sum, item) => sum + item.remaining, 0);
    },
    middleware,
  };
}

function statusResponse(fault: Extract<SandboxFault, { kind: 'status' }>) {
  const headers: Record<string, string> = {};
  if (fault.retryAfter !== undefined) headers['Retry-After'] = String(fault.retryAfter);
  if ([204, 205, 304].includes(fault.status)) return new Response(null, { status: fault.status, headers });
  // A Response, not c.body(): the status may be one Hono's types keep apart (204, 304).
  if (typeof fault.body === 'string') return new Response(fault.body, { status: fault.status, headers });
  const body = fault.body ?? { error: 'server_error', error_description: `Injected fault: HTTP ${fault.status}` };
  return new Response(JSON.stringify(body), { status: fault.status, headers: { ...headers, 'Content-Type': 'application/json' } });
}

/**
 * Destroys the client's socket (Node: @hono/node-server puts the IncomingMessage in c.env). Without a
 * socket (app.request in-process) the closest thing is a response whose body fails mid-stream. Also
 * used after the handler ran: assigning c.res replaces whatever it answered.
 */
function drop(c: Context): Response {
  const env = c.env as { incoming?: { socket?: { destroy(): void } } } | undefined;
  const socket = env?.incoming?.socket;
  if (socket) {
    socket.destroy();
    return new Response(null, { status: 500 });
  }
  const body = new ReadableStream({
    start(controller) {
      controller.error(new TypeError('sandbox: connection dropped (injected fault)'));
    },
  });
  return new Response(body, { status: 200 });
}
