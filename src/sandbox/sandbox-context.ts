import type { Context } from 'hono';
import type { SandboxMember } from './demo-members';
import type { SandboxStats } from './sandbox-stats';
import type { SummarySource } from './summary-source';
import type { TokenStore } from './token-store';

/** A client registered with the sandbox (what the CardioMood developer dashboard would hold). */
export interface SandboxClient {
  clientId: string;
  clientSecret: string;
  /** Compared exactly, character for character. */
  redirectUris: string[];
}

/** The state every route of one sandbox instance shares. */
export interface SandboxContext {
  now: () => number;
  clients: readonly SandboxClient[];
  members: readonly SandboxMember[];
  store: TokenStore;
  summaries: SummarySource;
  stats: SandboxStats;
  rateLimitPerMinute: number;
  /** How long a login at the sandbox's pages lasts (its session cookie's server-side lifetime). */
  sessionTtlMs: number;
  /** Public origin for URLs the sandbox prints (paginator links): configured, else the request's. */
  baseUrl: (c: Context) => string;
}

export function findMemberByEmail(members: readonly SandboxMember[], email: string): SandboxMember | undefined {
  const wanted = email.trim().toLowerCase();
  return members.find((member) => member.email.toLowerCase() === wanted);
}
