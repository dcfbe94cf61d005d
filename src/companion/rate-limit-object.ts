import type { Env } from 'hono';
import type { Store } from 'hono-rate-limiter';
import { z } from 'zod';
import type { DurableObjectNamespaceLike, DurableObjectStateLike } from './durable-object';

const counterSchema = z.object({ hits: z.number().int().min(0), resetTime: z.number().int() });
type Counter = z.infer<typeof counterSchema>;

const rateLimitCallSchema = z.object({ op: z.enum(['increment', 'decrement', 'reset']), windowMs: z.number().int().positive() });
type RateLimitCall = z.infer<typeof rateLimitCallSchema>;

const rateLimitInfoSchema = z.object({ totalHits: z.number().int().min(0), resetTime: z.number().int() });

/**
 * One client's rate-limit counter on Workers (a fixed window, like hono-rate-limiter's MemoryStore).
 * Addressed by the client's rate-limit key, so every isolate and location counts into the same
 * object: a global limit, unlike a per-isolate counter. The counter is deleted when its window ends;
 * it holds a count and a time, never the address.
 */
export class RateLimitObject {
  constructor(
    private readonly state: DurableObjectStateLike,
    _env: unknown,
  ) {}

  async fetch(request: Request): Promise<Response> {
    const call = rateLimitCallSchema.safeParse(await request.json().catch(() => undefined));
    if (!call.success) return Response.json({ error: 'invalid_request' }, { status: 400 });
    const now = Date.now();
    const stored = counterSchema.safeParse(await this.state.storage.get('counter'));
    let counter: Counter = stored.success && stored.data.resetTime > now ? stored.data : { hits: 0, resetTime: now + call.data.windowMs };
    if (call.data.op === 'increment') counter = { ...counter, hits: counter.hits + 1 };
    else if (call.data.op === 'decrement') counter = { ...counter, hits: Math.max(0, counter.hits - 1) };
    else counter = { hits: 0, resetTime: now + call.data.windowMs };
    await this.state.storage.put('counter', counter);
    await this.state.storage.setAlarm(counter.resetTime);
    return Response.json({ totalHits: counter.hits, resetTime: counter.resetTime });
  }

  async alarm(): Promise<void> {
    const stored = counterSchema.safeParse(await this.state.storage.get('counter'));
    if (stored.success && stored.data.resetTime > Date.now()) await this.state.storage.setAlarm(stored.data.resetTime);
    else await this.state.storage.deleteAll();
  }
}

/** hono-rate-limiter's store on top of RateLimitObject: one object per client key. */
export function createDurableObjectRateLimitStore<E extends Env>(namespace: DurableObjectNamespaceLike): Store<E> {
  let windowMs = 60_000;
  const call = async (key: string, op: RateLimitCall['op']) => {
    const stub = namespace.get(namespace.idFromName(`rate-limit:${key}`));
    const response = await stub.fetch('https://rate-limit.internal/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ op, windowMs } satisfies RateLimitCall),
    });
    const info = rateLimitInfoSchema.parse(await response.json());
    return { totalHits: info.totalHits, resetTime: new Date(info.resetTime) };
  };
  return {
    init(options) {
      windowMs = options.windowMs;
    },
    increment: (key) => call(key, 'increment'),
    async decrement(key) {
      await call(key, 'decrement');
    },
    async resetKey(key) {
      await call(key, 'reset');
    },
    localKeys: false,
    prefix: 'rate-limit:',
  };
}
