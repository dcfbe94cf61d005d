import { z } from 'zod';
import { COMPANION_CLIENT_TIMEOUT_MS, MAX_UPSTREAM_TIMEOUT_MS } from '../shared/companion-api';

/** The only wildcard origin we accept: Firefox gives every install its own random moz-extension UUID. */
export const FIREFOX_ANY_ORIGIN = 'moz-extension://*';

/** The client id wrangler.toml ships with; a deploy that still carries it cannot work. */
export const PLACEHOLDER_CLIENT_ID = 'replace-with-your-client-id';

/** The longest replay window an operator may set: long enough for a retry after a short sleep. */
export const MAX_REFRESH_REPLAY_SECONDS = 900;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** http:// to this machine (the local sandbox): the only place a secret may travel unencrypted. */
export function isLoopbackHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
  } catch {
    return false;
  }
}

/**
 * An upstream URL that will receive the client secret: https, or http only on loopback (the local
 * sandbox), so a typo can never send the secret in clear text over the network.
 */
const secretBearingUrlSchema = z.string().superRefine((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    url = new URL('invalid:');
  }
  const problem =
    url.protocol !== 'https:' && url.protocol !== 'http:'
      ? 'must be an absolute http(s) URL'
      : url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)
        ? 'must use https (http is only allowed for 127.0.0.1, localhost or [::1])'
        : url.username || url.password
          ? 'must not contain credentials'
          : undefined;
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/**
 * An origin as browsers send it in the `Origin` header: scheme://host[:port], nothing after it.
 * `chrome-extension://<id>` and `https://example.org` qualify; `null`, paths and wildcards do not
 * (except the single Firefox entry above).
 */
const originSchema = z.string().superRefine((value, ctx) => {
  if (value === FIREFOX_ANY_ORIGIN || /^[a-z][a-z0-9+.-]*:\/\/[^/?#*\s]+$/.test(value)) return;
  ctx.addIssue({
    code: 'custom',
    message: value.includes('*')
      ? `"${value}" uses a wildcard; the only wildcard allowed is ${FIREFOX_ANY_ORIGIN}`
      : `"${value}" is not an origin (scheme://host[:port], no path or trailing slash)`,
  });
});

const redirectUriSchema = z.url({ error: (issue) => `"${String(issue.input)}" is not an absolute URL` });

export const companionConfigSchema = z.object({
  tokenUrl: secretBearingUrlSchema,
  /** RFC 7009 endpoint; without it POST /v1/token/revoke answers 404 not_configured. */
  revokeUrl: secretBearingUrlSchema.optional(),
  clientId: z
    .string()
    .min(1, 'must be set')
    .refine((value) => value !== PLACEHOLDER_CLIENT_ID, `is still the placeholder "${PLACEHOLDER_CLIENT_ID}"; set your CardioMood client id`),
  clientSecret: z.string().min(1, 'must be set'),
  /** Exact redirect URIs the companion will forward; anything else is refused before CardioMood is called. */
  redirectUris: z.array(redirectUriSchema).min(1, 'must list at least one redirect URI'),
  /** Exact origins allowed to call the token routes from a browser (plus the Firefox wildcard). */
  allowedOrigins: z.array(originSchema).min(1, 'must list at least one origin'),
  host: z.string().min(1).default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).default(8788),
  upstreamTimeoutMs: z.coerce
    .number()
    .int()
    .min(1)
    .max(
      MAX_UPSTREAM_TIMEOUT_MS,
      `must be at most ${MAX_UPSTREAM_TIMEOUT_MS}: the extension gives up after ${COMPANION_CLIENT_TIMEOUT_MS} ms, so a longer wait would answer nobody`,
    )
    .default(10_000),
  rateLimitPerMinute: z.coerce.number().int().min(1).max(100_000).default(60),
  /**
   * How many reverse proxies in front of the companion append to X-Forwarded-For. 0 (default)
   * ignores the header, because any client can send it.
   */
  trustProxy: z.coerce.number().int().min(0).max(10).default(0),
  /**
   * How long a successful refresh's answer stays available (encrypted) to a retry of the same refresh
   * token with the same replay_nonce; 0 turns the replay window off. See SECURITY.md.
   */
  refreshReplaySeconds: z.coerce.number().int().min(0).max(MAX_REFRESH_REPLAY_SECONDS).default(120),
});
export type CompanionConfig = z.output<typeof companionConfigSchema>;
export type CompanionConfigInput = z.input<typeof companionConfigSchema>;

export const COMPANION_ENV_NAMES = {
  tokenUrl: 'CARDIOMOOD_TOKEN_URL',
  revokeUrl: 'CARDIOMOOD_REVOKE_URL',
  clientId: 'CARDIOMOOD_CLIENT_ID',
  clientSecret: 'CARDIOMOOD_CLIENT_SECRET',
  redirectUris: 'COMPANION_REDIRECT_URIS',
  allowedOrigins: 'COMPANION_ALLOWED_ORIGINS',
  host: 'HOST',
  port: 'PORT',
  upstreamTimeoutMs: 'COMPANION_UPSTREAM_TIMEOUT_MS',
  rateLimitPerMinute: 'COMPANION_RATE_LIMIT_PER_MINUTE',
  trustProxy: 'COMPANION_TRUST_PROXY',
  refreshReplaySeconds: 'COMPANION_REFRESH_REPLAY_SECONDS',
} as const satisfies Record<keyof CompanionConfig, string>;

export class CompanionConfigError extends Error {
  override name = 'CompanionConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid companion configuration:\n  ${problems.join('\n  ')}`);
  }
}

/**
 * Reads the companion configuration from environment variables (process.env on Node, bindings on
 * Workers). Throws {@link CompanionConfigError} listing every problem by variable name; values are
 * never echoed for the secret.
 */
export function parseCompanionConfig(env: Record<string, string | undefined>): CompanionConfig {
  const read = (key: keyof CompanionConfig) => nonEmpty(env[COMPANION_ENV_NAMES[key]]);
  const list = (key: keyof CompanionConfig) => read(key)?.split(',').map((entry) => entry.trim()).filter(Boolean);
  const trustProxy = read('trustProxy');
  const raw = {
    tokenUrl: read('tokenUrl'),
    revokeUrl: read('revokeUrl'),
    clientId: read('clientId'),
    clientSecret: read('clientSecret'),
    redirectUris: list('redirectUris'),
    allowedOrigins: list('allowedOrigins'),
    host: read('host'),
    port: read('port'),
    upstreamTimeoutMs: read('upstreamTimeoutMs'),
    rateLimitPerMinute: read('rateLimitPerMinute'),
    // "true" means one proxy (the usual nginx/Caddy setup); "false" means none.
    trustProxy: trustProxy === 'true' ? '1' : trustProxy === 'false' ? '0' : trustProxy,
    refreshReplaySeconds: read('refreshReplaySeconds'),
  };
  const parsed = companionConfigSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const key = issue.path[0] as keyof CompanionConfig;
    const name = COMPANION_ENV_NAMES[key];
    if (raw[key] === undefined) return `${name}: must be set`;
    // zod messages here are our own or generic ("expected number"); none of them quote a value
    // except the origin/redirect ones, which are public configuration, never the secret.
    return `${name}: ${issue.message}`;
  });
  throw new CompanionConfigError([...new Set(problems)]);
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
