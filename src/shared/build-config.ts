import { z } from 'zod';
import { DEV_CLIENT_ID } from './extension-identity';

/**
 * Build-time configuration of the extension, from exactly these environment variables:
 * WXT_CARDIOMOOD_AUTHORIZE_URL, WXT_CARDIOMOOD_API_URL, WXT_CARDIOMOOD_CLIENT_ID, WXT_COMPANION_URL.
 * Read by wxt.config.ts only (Node, at build time) and baked into the bundle.
 */
export const buildConfigSchema = z.object({
  authorizeUrl: z.url({ protocol: /^https?$/ }),
  apiUrl: z.url({ protocol: /^https?$/ }),
  clientId: z.string().min(1),
  companionUrl: z.url({ protocol: /^https?$/ }),
});
export type BuildConfig = z.infer<typeof buildConfigSchema>;

/** Where `npm start` (src/dev) runs the sandbox and the companion; a unit test keeps the ports in step. */
const devDefaults: BuildConfig = {
  authorizeUrl: 'http://127.0.0.1:8787/oauth/authorize',
  apiUrl: 'http://127.0.0.1:8787',
  clientId: DEV_CLIENT_ID,
  companionUrl: 'http://127.0.0.1:8788',
};

/**
 * Production defaults point at the real CardioMood URLs. There is no public client id or companion:
 * whoever ships the extension registers a client and deploys the companion, so those two must be set.
 */
const productionDefaults: Partial<BuildConfig> = {
  authorizeUrl: 'https://api.health.cloud.cardiomood.com/oauth/authorize',
  apiUrl: 'https://api.health.cloud.cardiomood.com',
};

/** Never reaches a built extension: only `wxt prepare` and type generation see these. */
const placeholders: BuildConfig = {
  authorizeUrl: 'https://cardiomood.invalid/oauth/authorize',
  apiUrl: 'https://cardiomood.invalid',
  clientId: 'unset',
  companionUrl: 'https://companion.invalid',
};

export const BUILD_CONFIG_ENV_NAMES = {
  authorizeUrl: 'WXT_CARDIOMOOD_AUTHORIZE_URL',
  apiUrl: 'WXT_CARDIOMOOD_API_URL',
  clientId: 'WXT_CARDIOMOOD_CLIENT_ID',
  companionUrl: 'WXT_COMPANION_URL',
} as const satisfies Record<keyof BuildConfig, string>;

/** The only hosts a production build may reach over http://: this machine (RFC 8252 §8.3 loopback). */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * A production build sends the authorization code, the PKCE verifier and the tokens to these URLs,
 * and shows the member's health data from them: https only, so a mistyped variable cannot ship an
 * extension that does any of it in clear text. Loopback stays allowed for local production-mode
 * builds (the bench measures one against the sandbox on 127.0.0.1).
 */
const productionUrlSchema = z.url({ protocol: /^https?$/ }).refine((value) => {
  // Zod runs this even when z.url() already failed; that failure is the one to report.
  if (!URL.canParse(value)) return true;
  const url = new URL(value);
  return url.protocol !== 'http:' || LOOPBACK_HOSTS.has(url.hostname);
}, 'must use https:// (http:// only for 127.0.0.1, localhost or [::1])');

const productionBuildConfigSchema = buildConfigSchema.extend({
  authorizeUrl: productionUrlSchema,
  apiUrl: productionUrlSchema,
  companionUrl: productionUrlSchema,
});

/**
 * Resolves the configuration for a WXT mode. `production` takes the real CardioMood URLs by default,
 * requires the client id and the companion URL, and refuses http:// except on loopback. With
 * `{ lenient: true }` (used by `wxt prepare` and other non-build commands) missing production values
 * become placeholders and http:// is let through instead of an error; the real build always
 * resolves strictly (the `build:before` hook in wxt.config.ts).
 */
export function resolveBuildConfig(
  env: Record<string, string | undefined>,
  mode: 'development' | 'production' | string,
  { lenient = false }: { lenient?: boolean } = {},
): BuildConfig {
  const defaults =
    mode !== 'production' ? devDefaults : lenient ? { ...placeholders, ...productionDefaults } : productionDefaults;
  const raw = Object.fromEntries(
    (Object.keys(BUILD_CONFIG_ENV_NAMES) as (keyof BuildConfig)[]).map((key) => [
      key,
      nonEmpty(env[BUILD_CONFIG_ENV_NAMES[key]]) ?? defaults[key],
    ]),
  );
  const schema = mode === 'production' && !lenient ? productionBuildConfigSchema : buildConfigSchema;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = issue.path[0] as keyof BuildConfig;
      return `${BUILD_CONFIG_ENV_NAMES[key]}: ${raw[key] === undefined ? 'must be set for a production build' : issue.message}`;
    });
    throw new Error(`Invalid extension build configuration (mode ${mode}):\n  ${problems.join('\n  ')}`);
  }
  return {
    ...parsed.data,
    apiUrl: parsed.data.apiUrl.replace(/\/+$/, ''),
    companionUrl: parsed.data.companionUrl.replace(/\/+$/, ''),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** Match patterns for the hosts the background fetches from: the API and the companion. */
export function hostPermissionsFor(config: BuildConfig): string[] {
  const patterns = [config.apiUrl, config.companionUrl].map((url) => {
    const { protocol, hostname } = new URL(url);
    // Match patterns ignore the port, so one pattern covers any port on that host.
    return `${protocol}//${hostname}/*`;
  });
  return [...new Set(patterns)];
}
