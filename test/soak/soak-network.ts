import { COMPANION_ROUTES } from '../../src/shared/companion-api';
import type { Worker } from './worker-host';

type Serve = (request: Request) => Response | Promise<Response>;

export interface SoakNetworkOptions {
  companionUrl: string;
  sandboxUrl: string;
  /** What the browser adds to an extension's cross-origin request. */
  origin: string;
  companion: Serve;
  sandbox: Serve;
  /** How many event-loop turns a request or an answer spends on the wire (seeded, varies the interleavings). */
  turns: () => number;
  /** Kills a worker (worker-host.ts). */
  kill: (worker: Worker) => void;
  /** Told each time a successful grant is lost, right where it happens. */
  onLost: () => void;
}

/** Grants that happened while the member never received them. */
export interface LostAnswers {
  /** The companion answered 200 and the answer was dropped on its way to the extension. */
  dropped: number;
  /** The worker was killed with the refresh on the wire; the servers carried it out. */
  killed: number;
  /** The companion answered 504 (CardioMood too slow) and CardioMood granted the refresh afterwards. */
  timedOut: number;
}

export interface SoakNetwork {
  /** The background's fetch for one worker. */
  fetchFor(worker: Worker): typeof fetch;
  /** The companion's fetch to CardioMood (the sandbox). */
  upstream: typeof fetch;
  /** The next `times` refresh answers are lost on the way back, after the companion carried them out. */
  dropRefreshAnswers(times: number): void;
  /** The next refresh kills its worker once it is on the wire. */
  killOnRefresh(): void;
  /** Forget what is armed and not used yet. */
  disarm(): void;
  /** Resolves once no request is being served (companion, sandbox, and the companion's own upstream calls). */
  idle(): Promise<void>;
  busy(): boolean;
  lost(): LostAnswers;
}

const never = <T>() => new Promise<T>(() => undefined);
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The network of a soak run: the extension's requests reach the companion's and the sandbox's Hono
 * apps in-process, and the companion's reach the sandbox. Requests of a dead worker are still carried
 * out by the servers (they were on the wire) but their answers never arrive. Faults that lose a
 * successful grant are counted here, where they happen.
 */
export function createSoakNetwork(options: SoakNetworkOptions): SoakNetwork {
  let serving = 0;
  let waiters: (() => void)[] = [];
  let drops = 0;
  let kills = 0;
  const lost: LostAnswers = { dropped: 0, killed: 0, timedOut: 0 };
  /** Refresh tokens the companion answered 504 for, and refresh tokens CardioMood exchanged. */
  const timedOutTokens = new Set<string>();
  const grantedTokens = new Set<string>();

  async function tracked<T>(work: () => Promise<T>): Promise<T> {
    serving += 1;
    try {
      return await work();
    } finally {
      serving -= 1;
      if (serving === 0) {
        const ready = waiters;
        waiters = [];
        for (const resolve of ready) resolve();
      }
    }
  }

  const wait = async (turns: number) => {
    for (let i = 0; i < turns; i += 1) await turn();
  };

  const timedOut = () => {
    lost.timedOut += 1;
    options.onLost();
  };
  const noteTimeout = (token: string) => {
    if (grantedTokens.has(token) && !timedOutTokens.has(token)) timedOut();
    timedOutTokens.add(token);
  };
  const noteGrant = (token: string) => {
    if (timedOutTokens.has(token) && !grantedTokens.has(token)) timedOut();
    grantedTokens.add(token);
  };

  const upstream: typeof fetch = (input, init) =>
    tracked(async () => {
      const request = new Request(input, init);
      const form = new URLSearchParams(await request.clone().text());
      const response = await options.sandbox(request);
      const token = form.get('refresh_token');
      if (form.get('grant_type') === 'refresh_token' && token && response.status === 200) noteGrant(token);
      return response;
    });

  function route(url: string, init: RequestInit | undefined): Promise<Response> {
    const headers = new Headers(init?.headers);
    headers.set('Origin', options.origin);
    if (url.startsWith(options.companionUrl)) return Promise.resolve(options.companion(new Request(url, { ...init, headers })));
    if (url.startsWith(options.sandboxUrl)) return Promise.resolve(options.sandbox(new Request(url, { ...init, headers })));
    return Promise.reject(new TypeError('Failed to fetch'));
  }

  function fetchFor(worker: Worker): typeof fetch {
    return (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      const refresh = url === `${options.companionUrl}${COMPANION_ROUTES.refresh}`;
      const token = refresh ? (JSON.parse(String(init?.body)) as { refresh_token: string }).refresh_token : '';
      if (refresh && kills > 0) {
        kills -= 1;
        void tracked(async () => {
          const response = await route(url, init);
          await response.text();
          if (response.status === 200) {
            lost.killed += 1;
            options.onLost();
          }
        });
        options.kill(worker);
        return never();
      }
      const signal = init?.signal;
      return new Promise<Response>((resolve, reject) => {
        const onAbort = () => reject(signal?.reason ?? new DOMException('The operation was aborted.', 'AbortError'));
        if (signal?.aborted) return onAbort();
        signal?.addEventListener('abort', onAbort, { once: true });
        // Answers are delivered inside tracked(): the network is idle only once they have arrived.
        void tracked(async () => {
          await wait(options.turns());
          let response: Response;
          try {
            response = await route(url, init);
            if (refresh) response = await readRefreshAnswer(response, token);
          } catch (error) {
            await wait(options.turns());
            // A worker that died meanwhile never gets its answer.
            if (!worker.dead) reject(error);
            return;
          }
          await wait(options.turns());
          if (!worker.dead) resolve(response);
        });
      });
    };
  }

  /** Reads the whole refresh answer (so the companion has finished with it), and loses it when told to. */
  async function readRefreshAnswer(response: Response, token: string): Promise<Response> {
    const body = await response.text();
    if (response.status === 504) noteTimeout(token);
    if (drops > 0) {
      drops -= 1;
      if (response.status === 200) {
        lost.dropped += 1;
        options.onLost();
      }
      throw new TypeError('Failed to fetch');
    }
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  }

  return {
    fetchFor,
    upstream,
    dropRefreshAnswers(times) {
      drops += times;
    },
    killOnRefresh() {
      kills += 1;
    },
    disarm() {
      drops = 0;
      kills = 0;
    },
    busy: () => serving > 0,
    idle: () => (serving === 0 ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve))),
    lost: () => ({ ...lost }),
  };
}
