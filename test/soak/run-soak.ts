import { vi } from 'vitest';
import { sendMessage } from '../../src/messaging/protocol';
import { createPrng, hashSeed, type Prng } from '../../src/sandbox/prng';
import type { SandboxFault } from '../../src/sandbox/create-sandbox';
import type { Status } from '../../src/shared/status';
import type { SoakCounts } from '../../scripts/soak/soak-result';
import { createSoakWorld, SOAK_UPSTREAM_TIMEOUT_MS } from './soak-world';
import type { StorageWrite } from './worker-host';

/** Each spurious end: in which cycle, why, what saw it (storage or the status pages get), and what led to it. */
export interface SoakEnding {
  cycle: number;
  reason: string;
  seenBy: 'storage' | 'status';
  trail: string[];
}

export type SoakReport = Awaited<ReturnType<typeof runSoak>>;

export interface SoakOptions {
  seed: number;
  cycles: number;
  /** The companion's replay window (default 120 s, as deployed); 0 turns it off, and the soak must then fail. */
  replayWindowSeconds?: number;
  /** Progress lines (every 100 cycles) and the summary. */
  log?: (line: string) => void;
}

/** The soak starts on a Monday morning; the sandbox's data follows its clock. */
const START = Date.parse('2026-03-02T07:00:00Z');
const MINUTE = 60_000;
/** After each expiry the faults stop and the background gets this long to retry (its retries: 2, 10, 30 s). */
const RECOVERY_MS = 3 * MINUTE;

/** How often each thing happens, per cycle (one access-token lifetime). */
const CHANCE = {
  tokenFault: 0.5,
  secondTokenFault: 0.15,
  burstAtExpiry: 0.6,
  burst: 0.5,
  idleRestart: 0.12,
  signOut: 0.06,
  browserRestart: 0.06,
  keepAlarmsOnRestart: 0.5,
  toggleKeep: 0.08,
  restartThenForget: 0.02,
  expireEarly: 0.04,
  summariesFault: 0.1,
  interruptSignIn: 0.2,
} as const;

type TokenFault =
  | 'drop'
  | 'drop_upstream'
  | 'kill'
  | 'server_error'
  | 'rate_limited'
  | 'timeout'
  | 'drop_then_stop_worker'
  | 'drop_then_restart_browser';
const TOKEN_FAULTS: readonly [TokenFault, number][] = [
  ['drop', 3],
  // CardioMood rotates and then cuts the companion off (the sandbox's grant-then-drop): nobody ever
  // holds the new tokens; the background must sign in again silently, never reuse the used token.
  ['drop_upstream', 2],
  ['kill', 2],
  ['server_error', 1.5],
  ['rate_limited', 1],
  ['timeout', 1],
  // The answer is lost and, before the retry, the worker stops or the browser restarts.
  ['drop_then_stop_worker', 1],
  ['drop_then_restart_browser', 1],
];

/**
 * The background retries a lost refresh answer three times (2, 10 and 30 s), all inside the companion's
 * 120 s replay window: that is the tolerance it promises (SECURITY.md), so the soak loses at most three
 * answers of one refresh in a row. A fixed number, not read from the code, so the soak cannot adapt to it.
 */
const LOSSES_IN_A_ROW = 3;

/** Faults that make a grant's answer go missing. */
const LOSING_FAULTS: ReadonlySet<TokenFault> = new Set(['drop', 'kill', 'timeout', 'drop_then_stop_worker', 'drop_then_restart_browser']);

/** Readings and everything derived from them, as stored (WXT's `key$` meta entries are not values). */
const MEMBER_DATA_KEY = /^(readings|view|glance|history)\.[^$]*$/;

function pick<T>(prng: Prng, weighted: readonly (readonly [T, number])[]): T {
  const total = weighted.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = prng.range(0, total);
  for (const [value, weight] of weighted) {
    roll -= weight;
    if (roll < 0) return value;
  }
  return weighted[weighted.length - 1]![0];
}

const quietly = <T>(promise: Promise<T>): Promise<T | null> => promise.catch(() => null);

/**
 * `npm run soak`: drives the real background, sandbox and companion through `cycles` access-token
 * expiries with seeded faults (lost refresh answers, upstream 5xx, 429 and timeouts, workers stopped
 * mid-refresh, concurrent pages and alarms, sign-outs and sign-ins, browser restarts with and without
 * "keep me signed in") and counts what a member would suffer. What it counts comes from its own
 * instruments (storage writes, the sandbox's statistics, the network), never from the code under test.
 */
export async function runSoak(options: SoakOptions) {
  const log = options.log ?? (() => undefined);
  const member = { expect: 'signed_out' as 'signed_in' | 'signed_out', keep: true, session: 0 };
  const endings: SoakEnding[] = [];
  /** What happened lately (virtual time, what), attached to each spurious end to explain it. */
  const trail: string[] = [];
  const note = (what: string) => {
    trail.push(`${new Date(world.clock.now()).toISOString().slice(11, 19)} ${what}`);
    if (trail.length > 30) trail.shift();
  };
  const endedSessions = new Set<number>();
  let signedOut = false;
  let readingsAfterSignout = 0;
  let cycle = 0;
  const seen = {
    tokenFaults: {} as Record<string, number>,
    summariesFaults: 0,
    browserRestarts: { keep: 0, noKeep: 0 },
    signOuts: 0,
    signIns: 0,
    interruptedSignIns: 0,
    staleChecks: 0,
    staleReasons: {} as Record<string, number>,
    replay: {} as Record<string, number>,
    /** Refreshes CardioMood carried out whose answer to the companion was cut (502 refresh_outcome_unknown). */
    upstreamLost: 0,
    errorsLogged: {} as Record<string, number>,
    leakedKeys: {} as Record<string, number>,
  };

  const recordEnding = (reason: string, seenBy: 'storage' | 'status') => {
    if (endedSessions.has(member.session)) return;
    endedSessions.add(member.session);
    endings.push({ cycle, reason, seenBy, trail: [...trail] });
  };
  const leak = (key: string) => {
    readingsAfterSignout += 1;
    seen.leakedKeys[key] = (seen.leakedKeys[key] ?? 0) + 1;
  };
  const onWrite = ({ area, key, value }: StorageWrite) => {
    if (value === null) return;
    if (area === 'local' && key === 'auth.sessionEnd') {
      const reason = (value as { reason?: string }).reason ?? 'unknown';
      if (reason !== 'signed_out') recordEnding(reason, 'storage');
    }
    if (signedOut && MEMBER_DATA_KEY.test(key)) leak(key);
  };

  // The background logs what went wrong (and the soak makes plenty go wrong): counted, not printed.
  const errors = vi.spyOn(console, 'error').mockImplementation((first: unknown) => {
    const text = String(first).slice(0, 80);
    seen.errorsLogged[text] = (seen.errorsLogged[text] ?? 0) + 1;
  });
  const warnings = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  const started = performance.now();
  const world = createSoakWorld({
    start: START,
    replayWindowSeconds: options.replayWindowSeconds ?? 120,
    onWrite,
    onNote: note,
    onCompanionLog: (line) => {
      if (typeof line.replay === 'string') seen.replay[line.replay] = (seen.replay[line.replay] ?? 0) + 1;
      if (line.error === 'refresh_outcome_unknown' && line.status === 502) seen.upstreamLost += 1;
      if (line.route !== '/healthz') note(`companion ${String(line.route)} ${String(line.status)}${line.replay ? ` ${String(line.replay)}` : ''}${line.error ? ` ${String(line.error)}` : ''}`);
    },
  });

  async function memberDataLeft(): Promise<void> {
    for (const area of ['session', 'local'] as const) {
      for (const [key, value] of Object.entries(await world.host.read(area))) {
        if (value !== null && value !== undefined && MEMBER_DATA_KEY.test(key)) leak(key);
      }
    }
  }

  async function status(): Promise<Status | null> {
    const answer = await quietly(sendMessage('getStatus'));
    return answer && !('ok' in answer) ? answer : null;
  }

  /** Popup, side panel and alarms asking at once. */
  async function burst(prng: Prng): Promise<void> {
    note('pages and alarms ask at once');
    const asks: Promise<unknown>[] = [];
    for (let i = prng.int(1, 6); i > 0; i -= 1) {
      const what = prng.int(0, 3);
      if (what === 0) asks.push(quietly(sendMessage('getStatus')));
      else if (what === 1) asks.push(quietly(sendMessage('refreshReadings')));
      else if (what === 2) asks.push(quietly(sendMessage('getHistory', { days: ([7, 30, 90] as const)[prng.int(0, 2)]! })));
      else asks.push(quietly(world.host.triggerAlarm('readings.poll')));
    }
    await Promise.all(asks);
    await world.settle();
  }

  async function signIn(prng: Prng): Promise<void> {
    if (signedOut) await memberDataLeft();
    signedOut = false;
    for (let attempt = 0; attempt < 8; attempt += 1) {
      if (prng.chance(CHANCE.interruptSignIn)) world.interruptNextSignIn();
      note('member signs in');
      const answer = await quietly(sendMessage('signIn'));
      await world.settle();
      if (answer?.ok) {
        member.expect = 'signed_in';
        member.session += 1;
        seen.signIns += 1;
        return;
      }
      if (answer === null) {
        seen.interruptedSignIns += 1;
        const shown = await status();
        if (shown?.auth.error?.code !== 'SIGN_IN_INTERRUPTED') throw new Error(`an interrupted sign-in shows ${JSON.stringify(shown?.auth)}`);
      }
    }
    throw new Error('the member could not sign in eight times in a row');
  }

  async function signOut(prng: Prng): Promise<void> {
    // Readings work already on its way when the member signs out.
    const racing = [quietly(sendMessage('refreshReadings')), quietly(sendMessage('getHistory', { days: 30 }))];
    for (let i = prng.int(0, 6); i > 0; i -= 1) await new Promise((resolve) => setImmediate(resolve));
    note('member signs out');
    const answer = await sendMessage('signOut');
    if (!answer.ok) throw new Error(`sign-out failed: ${answer.error.code}`);
    member.expect = 'signed_out';
    signedOut = true;
    seen.signOuts += 1;
    await memberDataLeft();
    await Promise.all(racing);
    await world.settle();
  }

  async function restartBrowser(prng: Prng): Promise<void> {
    const keepAlarms = prng.chance(CHANCE.keepAlarmsOnRestart);
    note(`browser restart (keep me signed in: ${member.keep}, alarms kept: ${keepAlarms})`);
    await world.host.restartBrowser({ keepAlarms });
    if (member.keep) seen.browserRestarts.keep += 1;
    else {
      seen.browserRestarts.noKeep += 1;
      // Without "keep me signed in" the member legitimately has to connect again.
      if (member.expect === 'signed_in') {
        member.expect = 'signed_out';
        endedSessions.add(member.session);
      }
    }
    await world.settle();
  }

  /**
   * Arms one fault on the token route. Faults that lose a grant's answer draw on `lossBudget`: the
   * background retries a lost answer three times (2, 10, 30 s) inside the replay window, and that is
   * what it promises to survive; a fourth loss of the same refresh in a row ends the session by design.
   */
  function armTokenFault(prng: Prng, fault: TokenFault, lossBudget: { left: number }): void {
    const losses = fault === 'drop' ? Math.min(prng.int(1, 2), lossBudget.left) : LOSING_FAULTS.has(fault) ? Math.min(1, lossBudget.left) : 0;
    if (LOSING_FAULTS.has(fault) && losses === 0) return;
    lossBudget.left -= losses;
    seen.tokenFaults[fault] = (seen.tokenFaults[fault] ?? 0) + 1;
    note(`armed ${fault}`);
    const inject = (sandboxFault: SandboxFault, count: number) => world.sandbox.control.injectFault(sandboxFault, count);
    if (fault === 'drop') world.network.dropRefreshAnswers(losses);
    else if (fault === 'drop_then_stop_worker' || fault === 'drop_then_restart_browser') {
      world.network.dropRefreshAnswers(1);
      world.afterNextLoss(async () => {
        if (fault === 'drop_then_stop_worker') world.killWorker();
        else await restartBrowser(prng);
      });
    } else if (fault === 'kill') world.network.killOnRefresh();
    else if (fault === 'drop_upstream') inject({ route: 'token', kind: 'grant-then-drop' }, 1);
    else if (fault === 'timeout') inject({ route: 'token', kind: 'delay', ms: SOAK_UPSTREAM_TIMEOUT_MS + prng.int(50, 250) }, 1);
    else if (fault === 'server_error') inject({ route: 'token', kind: 'status', status: ([500, 502, 503] as const)[prng.int(0, 2)]! }, prng.int(1, 2));
    else inject({ route: 'token', kind: 'status', status: 429, body: { error: 'rate_limited' }, retryAfter: prng.int(1, 120) }, 1);
  }

  function armSummariesFault(prng: Prng): void {
    seen.summariesFaults += 1;
    note('armed a summaries fault');
    const faults: SandboxFault[] = [
      { route: 'user-summaries', kind: 'status', status: 503 },
      { route: 'user-summaries', kind: 'status', status: 429, retryAfter: 60 },
      { route: 'user-summaries', kind: 'drop' },
      { route: 'user-summaries', kind: 'malformed' },
    ];
    world.sandbox.control.injectFault(faults[prng.int(0, faults.length - 1)]!, prng.int(1, 3));
  }

  async function event(prng: Prng): Promise<void> {
    await eventOf(prng);
    await world.react();
  }

  async function eventOf(prng: Prng): Promise<void> {
    const events: [() => Promise<unknown>, number][] = [
      [() => burst(prng), CHANCE.burst],
      [async () => world.killWorker(), CHANCE.idleRestart],
      [() => signOutAndBack(prng), CHANCE.signOut],
      [() => restartBrowser(prng), CHANCE.browserRestart],
      [() => toggleKeep(), CHANCE.toggleKeep],
      [() => restartThenForget(prng), CHANCE.restartThenForget],
      [async () => {
        note('sandbox expires the access tokens early');
        world.sandbox.control.expireAccessTokens();
      }, CHANCE.expireEarly],
      [async () => armSummariesFault(prng), CHANCE.summariesFault],
    ];
    await pick(prng, events)();
  }

  async function signOutAndBack(prng: Prng): Promise<void> {
    if (member.expect !== 'signed_in') return;
    await signOut(prng);
    // Signed out for a while: alarms (the readings poll) fire meanwhile.
    await world.advanceTo(world.clock.now() + prng.int(1, 45) * MINUTE);
    await signIn(prng);
  }

  /** The browser restarts with "keep me signed in" on, and the member switches it off before any page asked. */
  async function restartThenForget(prng: Prng): Promise<void> {
    if (!member.keep) return;
    await restartBrowser(prng);
    await toggleKeep();
  }

  async function toggleKeep(): Promise<void> {
    const answer = await quietly(sendMessage('updateSettings', { keepSignedIn: !member.keep }));
    if (answer?.ok) member.keep = answer.value.keepSignedIn;
    note(`keep me signed in: ${member.keep}`);
    await world.settle();
  }

  /** What the member sees once the faults have stopped: still signed in, and today's readings. */
  async function check(): Promise<void> {
    const shown = await status();
    if (member.expect === 'signed_in' && shown?.auth.state !== 'signed_in') {
      recordEnding(shown?.auth.reason ?? shown?.auth.state ?? 'no answer', 'status');
    }
    if (member.expect !== 'signed_in' || shown?.auth.state !== 'signed_in') return;
    const fresh = await quietly(sendMessage('refreshReadings'));
    if (!fresh?.ok || fresh.value.sync.state !== 'idle' || !fresh.value.readings) {
      seen.staleChecks += 1;
      const why = fresh?.ok ? (fresh.value.sync.error?.code ?? fresh.value.sync.state) : (fresh?.error.code ?? 'no answer');
      seen.staleReasons[why] = (seen.staleReasons[why] ?? 0) + 1;
    }
  }

  try {
    for (cycle = 0; cycle < options.cycles; cycle += 1) {
      const prng = createPrng(hashSeed(options.seed, cycle));
      world.setWire(createPrng(hashSeed(options.seed, cycle, 'wire')));
      if (member.expect !== 'signed_in' || endedSessions.has(member.session)) await signIn(prng);
      let expiry = await world.tokenExpiry();
      if (expiry === null) {
        // Restored from "keep me signed in": the first page asks and the background refreshes.
        await quietly(sendMessage('refreshReadings'));
        await world.settle();
        expiry = (await world.tokenExpiry()) ?? world.clock.now() + 3600_000;
      }
      const from = world.clock.now();
      const end = Math.max(expiry, from) + prng.int(0, 10) * MINUTE;
      if (prng.chance(CHANCE.tokenFault)) {
        const lossBudget = { left: LOSSES_IN_A_ROW };
        const first = pick(prng, TOKEN_FAULTS);
        armTokenFault(prng, first, lossBudget);
        // An upstream drop comes alone: a second token fault would hit the silent re-authorization's
        // code exchange, and losing that too is a double fault nothing can recover from.
        const second = prng.chance(CHANCE.secondTokenFault) ? pick(prng, TOKEN_FAULTS) : null;
        if (second && first !== 'drop_upstream' && second !== 'drop_upstream') armTokenFault(prng, second, lossBudget);
      }
      const moments = Array.from({ length: prng.int(0, 3) }, () => prng.int(from, end)).sort((a, b) => a - b);
      for (const moment of moments) {
        await world.advanceTo(moment);
        await event(prng);
      }
      await world.advanceTo(end);
      if (prng.chance(CHANCE.burstAtExpiry)) await burst(prng);
      world.network.disarm();
      world.sandbox.control.clearFaults();
      await world.advanceTo(world.clock.now() + RECOVERY_MS);
      await world.settle();
      await check();
      if ((cycle + 1) % 100 === 0) {
        log(`soak: ${cycle + 1}/${options.cycles} cycles, ${new Date(world.clock.now()).toISOString().slice(0, 10)}, ${endings.length} spurious, ${((performance.now() - started) / 1000).toFixed(0)} s`);
      }
    }
    await world.settle();
    const stats = world.sandbox.control.stats();
    const lost = world.network.lost();
    const counts: SoakCounts = {
      cycles: cycle,
      spurious_signouts: endings.length,
      reuse_detected: stats.refreshReuseDetections,
      readings_after_signout: readingsAfterSignout,
      // Lost on the way back to the background (the network) or on the way to the companion (upstream).
      lost_answers: lost.dropped + lost.killed + lost.timedOut + seen.upstreamLost,
      worker_restarts: world.kills.midRefresh + world.kills.other + world.kills.midSignIn,
    };
    const details = {
      durationMs: Math.round(performance.now() - started),
      /** Non-interactive auth flows the background started, and those CardioMood answered with a code. */
      silentFlows: { ...world.silentFlows },
      lostAnswers: lost,
      workerKills: { ...world.kills },
      workerStarts: world.host.starts(),
      ...seen,
      sandbox: { refreshes: stats.refreshes, codeExchanges: stats.codeExchanges, silentApprovals: stats.silentApprovals, codeReuseDetections: stats.codeReuseDetections, revocations: stats.revocations, userSummariesRequests: stats.userSummariesRequests, faultsApplied: stats.faultsApplied },
    };
    return { seed: options.seed, counts, details, endings };
  } finally {
    world.close();
    errors.mockRestore();
    warnings.mockRestore();
  }
}
