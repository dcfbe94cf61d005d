import { sign, verify } from 'hono/jwt';
import { randomHex, randomToken, s256, timingSafeEqual } from './random';
import { SANDBOX_ERROR } from './sandbox-error';

/**
 * Authorization codes, access tokens (HS256 JWTs shaped like tymon/jwt-auth's, docs/cardiomood-api.md
 * §2.3) and rotating refresh tokens, all in memory. Everything issued from one authorization is one
 * "family", so a replayed code or refresh token can take the whole family down (RFC 6749 §4.1.2,
 * RFC 9700 §4.14.2).
 */

/** tymon/jwt-auth's `prv`: sha1 of the user model class name (what CardioMood's decoded JWTs carry). */
const PRV = '23bd5c8949f600adb39e701c400872db7a5976f7';

export interface TokenStoreOptions {
  now: () => number;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  codeTtlSeconds: number;
  /** The JWT `iss`: the token endpoint URL. */
  issuer: () => string;
}

export interface IssuedTokens {
  token_type: 'Bearer';
  expires_in: number;
  access_token: string;
  refresh_token: string;
  scope?: string;
}

export type GrantResult =
  | { ok: true; tokens: IssuedTokens }
  | { ok: false; error: typeof SANDBOX_ERROR.INVALID_GRANT | typeof SANDBOX_ERROR.INVALID_REQUEST; description: string; reuse?: 'code' | 'refresh_token' };

interface Family {
  memberId: string;
  clientId: string;
  scope: string | undefined;
  revoked: boolean;
  accessJtis: Set<string>;
  refreshTokens: Set<string>;
}

interface CodeRecord {
  familyId: string;
  clientId: string;
  redirectUri: string;
  codeChallenge: string | undefined;
  expiresAt: number;
  /** Set once tokens were issued for it: a second use is a replay. */
  used: boolean;
}

interface AccessRecord {
  familyId: string;
  clientId: string;
  memberId: string;
  /** The refresh token issued in the same response: rotating it retires this access token. */
  refreshToken: string;
  expiresAt: number;
  revoked: boolean;
}

interface RefreshRecord {
  familyId: string;
  clientId: string;
  expiresAt: number;
  /** Exchanged for a new pair already: presenting it again is reuse. */
  rotated: boolean;
  accessJtis: string[];
}

export interface AccessTokenOwner {
  memberId: string;
  jti: string;
  clientId: string;
}

export type TokenStore = ReturnType<typeof createTokenStore>;

export function createTokenStore(options: TokenStoreOptions) {
  const signingKey = randomHex(32);
  let accessTtl = options.accessTokenTtlSeconds;
  const families = new Map<string, Family>();
  const codes = new Map<string, CodeRecord>();
  const access = new Map<string, AccessRecord>();
  const refresh = new Map<string, RefreshRecord>();
  let operations = 0;

  function revokeFamily(familyId: string): void {
    const family = families.get(familyId);
    if (!family) return;
    family.revoked = true;
    for (const jti of family.accessJtis) {
      const record = access.get(jti);
      if (record) record.revoked = true;
    }
  }

  /** Drops what can never be used again, so long benchmarks do not grow memory without bound. */
  function prune(): void {
    if (++operations % 500 !== 0) return;
    const now = options.now();
    for (const [code, record] of codes) if (record.expiresAt + 600_000 < now) codes.delete(code);
    for (const [jti, record] of access) {
      if (record.expiresAt < now || record.revoked) {
        access.delete(jti);
        families.get(record.familyId)?.accessJtis.delete(jti);
      }
    }
    for (const [token, record] of refresh) {
      if (record.expiresAt < now) {
        refresh.delete(token);
        families.get(record.familyId)?.refreshTokens.delete(token);
      }
    }
  }

  async function issue(familyId: string): Promise<IssuedTokens> {
    const family = families.get(familyId);
    if (!family) throw new Error('sandbox: unknown token family');
    const now = options.now();
    const iat = Math.floor(now / 1000);
    const jti = randomToken(12);
    const refreshToken = randomToken(40);
    const accessToken = await sign(
      { iss: options.issuer(), iat, exp: iat + accessTtl, nbf: iat, jti, sub: family.memberId, prv: PRV },
      signingKey,
      'HS256',
    );
    access.set(jti, { familyId, clientId: family.clientId, memberId: family.memberId, refreshToken, expiresAt: now + accessTtl * 1000, revoked: false });
    refresh.set(refreshToken, { familyId, clientId: family.clientId, expiresAt: now + options.refreshTokenTtlSeconds * 1000, rotated: false, accessJtis: [jti] });
    family.accessJtis.add(jti);
    family.refreshTokens.add(refreshToken);
    prune();
    return {
      token_type: 'Bearer',
      expires_in: accessTtl,
      access_token: accessToken,
      refresh_token: refreshToken,
      ...(family.scope !== undefined ? { scope: family.scope } : {}),
    };
  }

  function newFamily(memberId: string, clientId: string, scope: string | undefined): string {
    const familyId = randomToken(12);
    families.set(familyId, { memberId, clientId, scope, revoked: false, accessJtis: new Set(), refreshTokens: new Set() });
    return familyId;
  }

  /** The JWT's jti when the signature is ours; undefined for anything else. */
  async function verifiedJti(token: string): Promise<{ jti: string; exp: number; nbf: number } | undefined> {
    try {
      // exp/nbf are checked below against the injectable clock, not the wall clock.
      const payload = await verify(token, signingKey, { alg: 'HS256', exp: false, nbf: false, iat: false });
      if (typeof payload.jti !== 'string' || typeof payload.exp !== 'number' || typeof payload.nbf !== 'number') return undefined;
      return { jti: payload.jti, exp: payload.exp, nbf: payload.nbf };
    } catch {
      return undefined;
    }
  }

  return {
    setAccessTokenTtl(seconds: number): void {
      if (!Number.isInteger(seconds) || seconds < 1) throw new RangeError('access token TTL must be a positive whole number of seconds');
      accessTtl = seconds;
    },

    /** Every access token issued so far is expired from now on (refresh tokens stay valid). */
    expireAccessTokens(): void {
      const now = options.now();
      for (const record of access.values()) record.expiresAt = Math.min(record.expiresAt, now);
    },

    createCode(input: { memberId: string; clientId: string; redirectUri: string; codeChallenge: string | undefined; scope: string | undefined }): string {
      const code = randomToken(32);
      codes.set(code, {
        familyId: newFamily(input.memberId, input.clientId, input.scope),
        clientId: input.clientId,
        redirectUri: input.redirectUri,
        codeChallenge: input.codeChallenge,
        expiresAt: options.now() + options.codeTtlSeconds * 1000,
        used: false,
      });
      prune();
      return code;
    },

    async exchangeCode(input: { clientId: string; code: string; redirectUri: string | undefined; codeVerifier: string | undefined }): Promise<GrantResult> {
      const record = codes.get(input.code);
      const invalid = (description: string): GrantResult => ({ ok: false, error: SANDBOX_ERROR.INVALID_GRANT, description });
      if (!record || record.clientId !== input.clientId) return invalid('The authorization code is invalid or was issued to another client');
      if (record.used) {
        // RFC 6749 §4.1.2: a code used twice revokes everything issued from it.
        revokeFamily(record.familyId);
        return { ok: false, error: SANDBOX_ERROR.INVALID_GRANT, description: 'The authorization code was already used; the tokens issued from it are revoked', reuse: 'code' };
      }
      // Any other failure burns the code too, so a verifier cannot be guessed by retrying.
      const burn = (result: GrantResult) => {
        codes.delete(input.code);
        return result;
      };
      if (options.now() >= record.expiresAt) return burn(invalid('The authorization code has expired'));
      if (input.redirectUri === undefined) {
        return burn({ ok: false, error: SANDBOX_ERROR.INVALID_REQUEST, description: '"redirect_uri" is required with an authorization code' });
      }
      if (input.redirectUri !== record.redirectUri) return burn(invalid('"redirect_uri" does not match the authorization request'));
      if (record.codeChallenge !== undefined) {
        if (input.codeVerifier === undefined) return burn(invalid('"code_verifier" is required: the authorization request had a code_challenge'));
        if (!/^[A-Za-z0-9._~-]{43,128}$/.test(input.codeVerifier) || !timingSafeEqual(await s256(input.codeVerifier), record.codeChallenge)) {
          return burn(invalid('"code_verifier" does not match the code_challenge'));
        }
      }
      record.used = true;
      return { ok: true, tokens: await issue(record.familyId) };
    },

    async refresh(input: { clientId: string; refreshToken: string }): Promise<GrantResult> {
      const record = refresh.get(input.refreshToken);
      const invalid = (description: string): GrantResult => ({ ok: false, error: SANDBOX_ERROR.INVALID_GRANT, description });
      if (!record || record.clientId !== input.clientId) return invalid('The refresh token is invalid or was issued to another client');
      const family = families.get(record.familyId);
      if (record.rotated) {
        // A rotated token coming back means two parties hold it: retire the whole family.
        const alreadyRevoked = family?.revoked === true;
        revokeFamily(record.familyId);
        return { ok: false, error: SANDBOX_ERROR.INVALID_GRANT, description: 'The refresh token was already used; every token of this sign-in is revoked', ...(alreadyRevoked ? {} : { reuse: 'refresh_token' as const }) };
      }
      if (!family || family.revoked) return invalid('The refresh token has been revoked');
      if (options.now() >= record.expiresAt) return invalid('The refresh token has expired');
      record.rotated = true;
      for (const jti of record.accessJtis) {
        const token = access.get(jti);
        if (token) token.revoked = true;
      }
      return { ok: true, tokens: await issue(record.familyId) };
    },

    /**
     * Whether the member already holds a valid token for this client with exactly these scopes:
     * Laravel Passport's `hasValidToken` (TokenRepository::findValidToken: the member's latest access
     * token of the client that is neither revoked nor expired, compared by its scopes), which lets
     * the authorize endpoint skip the consent screen. A family revoked by the member, by sign-out or
     * by reuse detection has no valid access token left, so it never counts.
     */
    hasValidToken(memberId: string, clientId: string, scope: string | undefined): boolean {
      const now = options.now();
      let latest: { expiresAt: number; scope: string | undefined } | undefined;
      for (const record of access.values()) {
        if (record.memberId !== memberId || record.clientId !== clientId || record.revoked || record.expiresAt <= now) continue;
        const family = families.get(record.familyId);
        if (!family || family.revoked) continue;
        if (!latest || record.expiresAt > latest.expiresAt) latest = { expiresAt: record.expiresAt, scope: family.scope };
      }
      return latest !== undefined && sameScopes(latest.scope, scope);
    },

    /** Tokens for a member without the browser flow (tests, benchmarks). */
    async issueDirect(memberId: string, clientId: string, scope?: string): Promise<IssuedTokens> {
      return issue(newFamily(memberId, clientId, scope));
    },

    /** The live access token's owner, or undefined (unknown, bad signature, expired, revoked). */
    async authenticate(token: string): Promise<AccessTokenOwner | undefined> {
      const claims = await verifiedJti(token);
      if (!claims) return undefined;
      const record = access.get(claims.jti);
      if (!record || record.revoked || families.get(record.familyId)?.revoked) return undefined;
      const now = options.now();
      if (now >= record.expiresAt || now >= claims.exp * 1000 || now < claims.nbf * 1000 - 1000) return undefined;
      return { memberId: record.memberId, jti: claims.jti, clientId: record.clientId };
    },

    /**
     * RFC 7009: a refresh token takes its family down, an access token only itself. Tokens that are
     * unknown or belong to another client are left alone (and the answer is the same 200).
     * Returns whether something live was revoked.
     */
    async revoke(token: string, clientId: string): Promise<boolean> {
      const refreshRecord = refresh.get(token);
      if (refreshRecord) {
        const family = families.get(refreshRecord.familyId);
        if (refreshRecord.clientId !== clientId || !family || family.revoked) return false;
        revokeFamily(refreshRecord.familyId);
        return true;
      }
      const claims = await verifiedJti(token);
      const accessRecord = claims ? access.get(claims.jti) : undefined;
      if (!accessRecord || accessRecord.clientId !== clientId || accessRecord.revoked) return false;
      accessRecord.revoked = true;
      return true;
    },
  };
}

/** Scopes compared as sets of space-separated names (RFC 6749 §3.3: their order carries no meaning). */
function sameScopes(a: string | undefined, b: string | undefined): boolean {
  const names = (scope: string | undefined) => [...new Set((scope ?? '').split(' ').filter(Boolean))].sort().join(' ');
  return names(a) === names(b);
}
