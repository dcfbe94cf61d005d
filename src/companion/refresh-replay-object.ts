import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import { refreshRequestSchema, replayNonceSchema } from '../shared/companion-api';
import { COMPANION_ERROR, CompanionError } from './companion-error';
import type { DurableObjectNamespaceLike, DurableObjectStateLike, DurableObjectStorageLike } from './durable-object';
import {
  createRefreshReplay,
  refreshOutcomeSchema,
  replayEntrySchema,
  replayId,
  type RefreshReplay,
  type ReplayStore,
} from './refresh-replay';
import { createUpstreamClient, upstreamCallSchema, type UpstreamCall } from './upstream';
import { parseWorkerEnv } from './worker-env';

/** Worker → object: the refresh to answer. Only inside Cloudflare, between our own Worker and object. */
const replayCallSchema = z.strictObject({
  refresh_token: refreshRequestSchema.shape.refresh_token,
  replay_nonce: replayNonceSchema,
});
type ReplayCall = z.infer<typeof replayCallSchema>;

/** Object → Worker: the outcome, or the CompanionError to answer, and what CardioMood did (for the log). */
const replayReplySchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), outcome: refreshOutcomeSchema, upstream: upstreamCallSchema.optional() }),
  z.object({
    ok: z.literal(false),
    status: z.number().int().min(400).max(599),
    error: z.string(),
    error_description: z.string(),
    headers: z.record(z.string(), z.string()),
    upstream: upstreamCallSchema.optional(),
  }),
]);
type ReplayReply = z.infer<typeof replayReplySchema>;

/** The one stored value of an object: its entry, with the address it belongs to. */
const storedEntrySchema = z.object({ id: z.string(), entry: replayEntrySchema });

/**
 * The replay window on Workers: one object per refresh token (named by replayId), so every attempt
 * for that token, from any isolate or location, meets here; the object refreshes once at a time
 * (createRefreshReplay's single flight, in the object's memory) and keeps the encrypted answer in
 * its strongly consistent storage until an alarm deletes it at the end of the window. The object
 * calls CardioMood itself, so a refresh it has started finishes (and is stored) even when the
 * Worker that asked has been cancelled with its client.
 */
export class RefreshReplayObject {
  #replay: RefreshReplay | undefined;

  constructor(
    private readonly state: DurableObjectStateLike,
    private readonly env: Record<string, unknown>,
  ) {}

  async fetch(request: Request): Promise<Response> {
    const call = replayCallSchema.safeParse(await request.json().catch(() => undefined));
    if (!call.success) {
      return replyWith({ ok: false, status: 400, error: COMPANION_ERROR.INVALID_REQUEST, error_description: 'Not a replay call', headers: {} });
    }
    let upstream: UpstreamCall | undefined;
    const observe = (made: UpstreamCall) => {
      upstream = made;
    };
    try {
      const outcome = await this.replay()({ refreshToken: call.data.refresh_token, nonce: call.data.replay_nonce }, { observe });
      return replyWith({ ok: true, outcome, ...(upstream ? { upstream } : {}) });
    } catch (error) {
      if (!(error instanceof CompanionError)) throw error;
      return replyWith({
        ok: false,
        status: error.status,
        error: error.code,
        error_description: error.description,
        headers: error.headers,
        ...(upstream ? { upstream } : {}),
      });
    }
  }

  async alarm(): Promise<void> {
    const stored = storedEntrySchema.safeParse(await this.state.storage.get('entry'));
    if (stored.success && stored.data.entry.expiresAt > Date.now()) await this.state.storage.setAlarm(stored.data.entry.expiresAt);
    else await this.state.storage.deleteAll();
  }

  private replay(): RefreshReplay {
    if (!this.#replay) {
      const { config } = parseWorkerEnv(this.env);
      const now = Date.now;
      // Workers' fetch must not be called as a method of another object ("Illegal invocation").
      const upstream = createUpstreamClient(config, { fetch: (input, init) => fetch(input, init), now });
      this.#replay = createRefreshReplay({
        store: durableObjectReplayStore(this.state.storage, now),
        windowSeconds: config.refreshReplaySeconds,
        now,
        upstream: (refreshToken, options) => upstream.refresh(refreshToken, options),
        answerWithinMs: config.upstreamTimeoutMs,
      });
    }
    return this.#replay;
  }
}

function durableObjectReplayStore(storage: DurableObjectStorageLike, now: () => number): ReplayStore {
  return {
    async get(id) {
      const stored = storedEntrySchema.safeParse(await storage.get('entry'));
      if (!stored.success || stored.data.id !== id) return undefined;
      if (stored.data.entry.expiresAt <= now()) {
        await storage.deleteAll();
        return undefined;
      }
      return stored.data.entry;
    },
    async put(id, entry) {
      await storage.put('entry', { id, entry });
      await storage.setAlarm(entry.expiresAt);
    },
  };
}

function replyWith(reply: ReplayReply): Response {
  return Response.json(reply);
}

/** The Worker's side: the refresh goes to the object that owns its refresh token. */
export function createDurableObjectRefreshReplay(namespace: DurableObjectNamespaceLike): RefreshReplay {
  return async ({ refreshToken, nonce }, { observe } = {}) => {
    const stub = namespace.get(namespace.idFromName(await replayId(refreshToken)));
    const response = await stub.fetch('https://refresh-replay.internal/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ refresh_token: refreshToken, replay_nonce: nonce } satisfies ReplayCall),
    });
    // Our own object's answer: a mismatch is a bug (deploy skew), reported as a 500 by the app.
    const reply = replayReplySchema.parse(await response.json());
    if (reply.upstream) observe?.(reply.upstream);
    if (!reply.ok) throw new CompanionError(reply.status as ContentfulStatusCode, reply.error, reply.error_description, reply.headers);
    return reply.outcome;
  };
}
