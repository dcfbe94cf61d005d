import { CompanionConfigError, parseCompanionConfig, type CompanionConfig } from './config';
import { isDurableObjectNamespace, type DurableObjectNamespaceLike } from './durable-object';

/** The Durable Object bindings wrangler.toml declares (`[[durable_objects.bindings]]`). */
export const WORKER_BINDINGS = {
  refreshReplay: 'REFRESH_REPLAY',
  rateLimit: 'RATE_LIMITER',
} as const;

export interface WorkerSetup {
  config: CompanionConfig;
  rateLimit: DurableObjectNamespaceLike;
  /** Absent only when COMPANION_REFRESH_REPLAY_SECONDS is 0. */
  refreshReplay?: DurableObjectNamespaceLike;
}

/**
 * The companion's configuration from a Worker's bindings: the string variables (`[vars]` and
 * secrets) and the two Durable Object namespaces. Throws CompanionConfigError listing every problem;
 * a missing binding is one (fail closed: no per-isolate fallback that would quietly weaken the
 * rate limit or the replay window).
 */
export function parseWorkerEnv(env: Record<string, unknown>): WorkerSetup {
  const strings = Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  const problems: string[] = [];
  let config: CompanionConfig | undefined;
  try {
    config = parseCompanionConfig(strings);
  } catch (error) {
    if (!(error instanceof CompanionConfigError)) throw error;
    problems.push(...error.problems);
  }
  const rateLimit = env[WORKER_BINDINGS.rateLimit];
  if (!isDurableObjectNamespace(rateLimit)) {
    problems.push(`${WORKER_BINDINGS.rateLimit}: must be a Durable Object binding of class RateLimitObject (see wrangler.toml)`);
  }
  const refreshReplay = env[WORKER_BINDINGS.refreshReplay];
  const replayOff = (config?.refreshReplaySeconds ?? Number(strings.COMPANION_REFRESH_REPLAY_SECONDS)) === 0;
  if (!replayOff && !isDurableObjectNamespace(refreshReplay)) {
    problems.push(
      `${WORKER_BINDINGS.refreshReplay}: must be a Durable Object binding of class RefreshReplayObject (see wrangler.toml), or set COMPANION_REFRESH_REPLAY_SECONDS=0`,
    );
  }
  if (problems.length > 0 || !config || !isDurableObjectNamespace(rateLimit)) throw new CompanionConfigError(problems);
  return {
    config,
    rateLimit,
    ...(!replayOff && isDurableObjectNamespace(refreshReplay) ? { refreshReplay } : {}),
  };
}
