import { COMPANION_CSRF_HEADER, COMPANION_CSRF_VALUE, COMPANION_ROUTES } from '../../src/shared/companion-api';
import { summarize, type Summary } from './stats';

export interface CompanionBenchOptions {
  /** The sandbox's token endpoint (what the companion forwards to). */
  tokenUrl: string;
  companionUrl: string;
  clientId: string;
  clientSecret: string;
  /** The Origin the extension sends; the companion only checks it when present. */
  origin: string;
  /** A fresh refresh token for a new chain (refresh tokens rotate, so each chain is used once). */
  mintRefreshToken: () => Promise<string>;
  /** Round-trips each way for the latency figures. */
  rounds?: number;
  /** Parallel chains for the throughput figures. */
  concurrency?: number;
}

export interface CompanionBenchResult {
  direct: Summary;
  viaCompanion: Summary;
  /** Per-percentile difference: what the companion adds to a refresh. */
  addedP50: number;
  addedP90: number;
  directPerSecond: number;
  companionPerSecond: number;
  concurrency: number;
}

type Refresh = (refreshToken: string) => Promise<string>;

/**
 * Refresh-token round-trips straight to the sandbox's token endpoint versus the same refresh through
 * the companion (which adds its guards, validation and one more loopback hop to that endpoint).
 * Refresh tokens rotate, so each chain feeds the token it gets back into its next call.
 * Node's fetch keeps connections alive, so neither side pays a TCP handshake per call.
 */
export async function benchCompanion(options: CompanionBenchOptions): Promise<CompanionBenchResult> {
  const rounds = options.rounds ?? 2000;
  const concurrency = options.concurrency ?? 8;

  const direct: Refresh = async (refreshToken) => {
    const response = await fetch(options.tokenUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: options.clientId,
        client_secret: options.clientSecret,
        refresh_token: refreshToken,
      }).toString(),
    });
    return nextToken(response, 'sandbox');
  };
  const viaCompanion: Refresh = async (refreshToken) => {
    const response = await fetch(options.companionUrl + COMPANION_ROUTES.refresh, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Origin: options.origin,
        [COMPANION_CSRF_HEADER]: COMPANION_CSRF_VALUE,
      },
      body: JSON.stringify({ refresh_token: refreshToken }),
    });
    return nextToken(response, 'companion');
  };

  // Latency: one chain each way, alternating blocks so drift (other load on the machine, JIT
  // warm-up, GC) lands on both sides alike. The first block each way is warm-up and not counted.
  const block = 50;
  const chains = { direct: await options.mintRefreshToken(), companion: await options.mintRefreshToken() };
  const timings = { direct: [] as number[], companion: [] as number[] };
  for (let done = -block; done < rounds; done += block) {
    const count = Math.min(block, rounds - Math.max(done, 0));
    for (const side of ['direct', 'companion'] as const) {
      const refresh = side === 'direct' ? direct : viaCompanion;
      for (let i = 0; i < count; i++) {
        const started = performance.now();
        chains[side] = await refresh(chains[side]);
        if (done >= 0) timings[side].push(performance.now() - started);
      }
    }
  }

  // Throughput: `concurrency` independent chains sharing `rounds` refreshes.
  const throughput = async (refresh: Refresh) => {
    const tokens = await Promise.all(Array.from({ length: concurrency }, () => options.mintRefreshToken()));
    const perChain = Math.ceil(rounds / concurrency);
    const started = performance.now();
    await Promise.all(
      tokens.map(async (token) => {
        for (let i = 0; i < perChain; i++) token = await refresh(token);
      }),
    );
    return (perChain * concurrency) / ((performance.now() - started) / 1000);
  };
  const directPerSecond = await throughput(direct);
  const companionPerSecond = await throughput(viaCompanion);

  const directSummary = summarize(timings.direct);
  const companionSummary = summarize(timings.companion);
  return {
    direct: directSummary,
    viaCompanion: companionSummary,
    addedP50: companionSummary.median - directSummary.median,
    addedP90: companionSummary.p90 - directSummary.p90,
    directPerSecond,
    companionPerSecond,
    concurrency,
  };
}

async function nextToken(response: Response, who: string): Promise<string> {
  const body = (await response.json().catch(() => undefined)) as { refresh_token?: unknown; error?: unknown } | undefined;
  if (!response.ok || typeof body?.refresh_token !== 'string') {
    // The error code only: never a token.
    throw new Error(`bench: refresh via ${who} failed: HTTP ${response.status} ${String(body?.error ?? '')}`);
  }
  return body.refresh_token;
}
