import { Hono, type Context } from 'hono';
import { DEV_CLIENT_ID, EXTENSION_REDIRECT_URIS } from '../shared/extension-identity';
import { DEV_CLIENT_SECRET } from './dev-client-secret';
import { createAuthorizeRoutes } from './authorize-routes';
import { createControlRoutes } from './control-routes';
import { DEMO_MEMBERS, type SandboxMember } from './demo-members';
import { createFaultQueue, type SandboxFault } from './faults';
import { findMemberByEmail, type SandboxClient, type SandboxContext } from './sandbox-context';
import { errorJson, SANDBOX_ERROR } from './sandbox-error';
import { emptyStats, type SandboxStats } from './sandbox-stats';
import { createSummariesRoutes } from './summaries-routes';
import { createSummarySource } from './summary-source';
import { assertTimeZone, hostTimeZone } from './time-zone';
import { createTokenRoutes } from './token-routes';
import { createTokenStore, type IssuedTokens } from './token-store';

export type { SandboxClient } from './sandbox-context';
export type { SandboxMember } from './demo-members';
export type { SandboxFault } from './faults';
export type { SandboxStats } from './sandbox-stats';
export type { IssuedTokens } from './token-store';

export interface SandboxOptions {
  /** Registered clients; default the development client with the two extension redirect URIs. */
  clients?: SandboxClient[];
  /** Default 3600 (what CardioMood's decoded JWTs show). */
  accessTokenTtlSeconds?: number;
  /** Default 30 days. */
  refreshTokenTtlSeconds?: number;
  /** Authorization code lifetime; default 60. */
  codeTtlSeconds?: number;
  /**
   * How long a member's login at the authorize pages lasts, in seconds; default 8 hours. A long one
   * stands for a CardioMood login with "remember me" (what lets prompt=none succeed days later).
   */
  sessionTtlSeconds?: number;
  /** Clock (epoch ms); default Date.now. */
  now?: () => number;
  /** IANA zone for members without their own; default the host's zone. */
  timeZone?: string;
  /** Default Alice and Bob (demo-members.ts). */
  members?: readonly SandboxMember[];
  /** Public origin (JWT `iss`, paginator links); a function for servers that learn their port late. Default: the request's origin. */
  baseUrl?: string | (() => string | undefined);
  /** /user-summaries requests per access token per minute; default 180 (docs/cardiomood-api.md §5). */
  rateLimitPerMinute?: number;
  /** Serve the invented sleep/spo2/stress/respiration_rate/temperature families (§9.1); default true. */
  extraFamilies?: boolean;
  /** Mount the control as HTTP routes under /__sandbox (demos, benchmarks); default false. */
  enableControlRoutes?: boolean;
}

/** What tests and tools can do to a running sandbox, in-process. */
export interface SandboxControl {
  stats(): SandboxStats;
  resetStats(): void;
  /** TTL for access tokens issued from now on. */
  setAccessTokenTtl(seconds: number): void;
  /** Every access token issued so far is expired (refresh tokens keep working). */
  expireAccessTokens(): void;
  /** Freezes the clock at `ms`; null goes back to the configured clock. */
  setNow(ms: number | null): void;
  now(): number;
  /** The next `times` requests to the fault's route get it. */
  injectFault(fault: SandboxFault, times?: number): void;
  clearFaults(): void;
  /** A fresh token response for a member, without the browser flow. */
  issueTokens(email: string, options?: { clientId?: string; scope?: string }): Promise<IssuedTokens>;
  /** The member's local today, `YYYY-MM-DD`. */
  memberLocalToday(email: string): string;
  /** The member's IANA zone. */
  memberTimeZone(email: string): string;
  members(): readonly SandboxMember[];
}

export const DEFAULT_SANDBOX_CLIENT: SandboxClient = {
  clientId: DEV_CLIENT_ID,
  clientSecret: DEV_CLIENT_SECRET,
  redirectUris: [...EXTENSION_REDIRECT_URIS],
};

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`sandbox: ${name} must be a positive number`);
  return value;
}

/**
 * A local stand-in for the CardioMood health API (docs/cardiomood-api.md): OAuth authorization code
 * with login and consent pages, rotating refresh tokens, revocation, and `/user-summaries` over
 * generated data. No I/O: node.ts serves it.
 */
export function createSandbox(options: SandboxOptions = {}): { app: Hono; control: SandboxControl } {
  let frozenNow: number | null = null;
  const clock = options.now ?? Date.now;
  const now = () => frozenNow ?? clock();
  const timeZone = assertTimeZone(options.timeZone ?? hostTimeZone());
  const members = options.members ?? DEMO_MEMBERS;
  for (const member of members) {
    if (!/^[0-9a-f]{24}$/.test(member.id)) throw new RangeError(`sandbox: member id of ${member.email} must be 24 hex digits`);
    if (member.timeZone) assertTimeZone(member.timeZone);
  }
  const clients = options.clients ?? [DEFAULT_SANDBOX_CLIENT];
  if (clients.length === 0) throw new RangeError('sandbox: at least one client is needed');

  let lastOrigin = 'http://127.0.0.1';
  const configuredBase = () => (typeof options.baseUrl === 'function' ? options.baseUrl() : options.baseUrl)?.replace(/\/+$/, '');
  const baseUrl = (c?: Context) => configuredBase() ?? (c ? new URL(c.req.url).origin : lastOrigin);

  const stats = emptyStats();
  const store = createTokenStore({
    now,
    accessTokenTtlSeconds: positive('accessTokenTtlSeconds', options.accessTokenTtlSeconds ?? 3600),
    refreshTokenTtlSeconds: positive('refreshTokenTtlSeconds', options.refreshTokenTtlSeconds ?? 30 * 86_400),
    codeTtlSeconds: positive('codeTtlSeconds', options.codeTtlSeconds ?? 60),
    issuer: () => `${baseUrl()}/oauth/token`,
  });
  const summaries = createSummarySource({ now, timeZone, extraFamilies: options.extraFamilies ?? true });
  const faults = createFaultQueue(() => stats.faultsApplied++);
  const ctx: SandboxContext = {
    now,
    clients,
    members,
    store,
    summaries,
    stats,
    rateLimitPerMinute: positive('rateLimitPerMinute', options.rateLimitPerMinute ?? 180),
    sessionTtlMs: positive('sessionTtlSeconds', options.sessionTtlSeconds ?? 8 * 3600) * 1000,
    baseUrl: (c) => baseUrl(c),
  };

  const memberOrThrow = (email: string) => {
    const member = findMemberByEmail(members, email);
    if (!member) throw new Error(`sandbox: no member ${email}`);
    return member;
  };

  const control: SandboxControl = {
    stats: () => structuredClone(stats),
    resetStats: () => Object.assign(stats, emptyStats()),
    setAccessTokenTtl: (seconds) => store.setAccessTokenTtl(seconds),
    expireAccessTokens: () => store.expireAccessTokens(),
    setNow: (ms) => {
      frozenNow = ms;
    },
    now,
    injectFault: (fault, times = 1) => faults.add(fault, times),
    clearFaults: () => faults.clear(),
    issueTokens: async (email, issue = {}) => store.issueDirect(memberOrThrow(email).id, issue.clientId ?? clients[0]!.clientId, issue.scope),
    memberLocalToday: (email) => summaries.localToday(memberOrThrow(email)),
    memberTimeZone: (email) => summaries.timeZoneOf(memberOrThrow(email)),
    members: () => members,
  };

  const app = new Hono();
  app.use('*', async (c, next) => {
    // Remembered so tokens minted outside a request (control.issueTokens) carry the right `iss`.
    lastOrigin = new URL(c.req.url).origin;
    await next();
    if (c.res.status === 401) {
      stats.unauthorized++;
      stats.unauthorizedResponses++;
    }
  });
  app.use('*', faults.middleware);
  app.route('/oauth', createAuthorizeRoutes(ctx));
  app.route('/oauth', createTokenRoutes(ctx));
  app.route('/user-summaries', createSummariesRoutes(ctx));
  if (options.enableControlRoutes) app.route('/__sandbox', createControlRoutes(control));
  app.get('/', (c) => c.json({ name: 'CardioMood sandbox', authorize: '/oauth/authorize', token: '/oauth/token', revoke: '/oauth/revoke', summaries: '/user-summaries' }));

  app.notFound((c) => errorJson(c, 404, SANDBOX_ERROR.NOT_FOUND, 'No such route'));
  app.onError((error, c) => {
    console.error('sandbox: unhandled error:', error instanceof Error ? error.name : 'unknown');
    return errorJson(c, 500, SANDBOX_ERROR.SERVER_ERROR, 'The sandbox failed');
  });
  return { app, control };
}
