/** What the sandbox has answered so far; read by tests and the benchmark through SandboxControl. */
export interface SandboxStats {
  /** Token-endpoint requests the sandbox handled, by grant_type (failed ones included). */
  tokenRequests: { authorization_code: number; refresh_token: number; other: number };
  /** Successful authorization_code exchanges. */
  codeExchanges: number;
  /** Successful refresh_token grants. */
  refreshes: number;
  /** Rotated refresh tokens presented again (each revoked a token family). */
  reuseDetections: number;
  /** Same count as `reuseDetections` (older name, still read by the background tests). */
  refreshReuseDetections: number;
  /** Authorization codes presented a second time (each revoked its tokens). */
  codeReuseDetections: number;
  /** Revocation-endpoint requests that revoked a live token. */
  revocations: number;
  /** Revocation-endpoint requests handled, whatever their outcome. */
  revokeRequests: number;
  userSummariesRequests: number;
  /** HTTP 401 responses on any route. */
  unauthorized: number;
  /** Same count as `unauthorized` (older name). */
  unauthorizedResponses: number;
  /** HTTP 429 responses. */
  rateLimitedResponses: number;
  logins: number;
  failedLogins: number;
  /** Authorization requests approved without the consent screen (a valid token for the client existed). */
  autoApprovals: number;
  /** prompt=none requests answered with a code. */
  silentApprovals: number;
  /** Requests that got an injected fault instead of (or before) the real answer; not counted above. */
  faultsApplied: number;
}

export function emptyStats(): SandboxStats {
  return {
    tokenRequests: { authorization_code: 0, refresh_token: 0, other: 0 },
    codeExchanges: 0,
    refreshes: 0,
    reuseDetections: 0,
    refreshReuseDetections: 0,
    codeReuseDetections: 0,
    revocations: 0,
    revokeRequests: 0,
    userSummariesRequests: 0,
    unauthorized: 0,
    unauthorizedResponses: 0,
    rateLimitedResponses: 0,
    logins: 0,
    failedLogins: 0,
    autoApprovals: 0,
    silentApprovals: 0,
    faultsApplied: 0,
  };
}
