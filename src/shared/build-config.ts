import { z } from 'zod';
import { DEV_CLIENT_ID, DEV_COMPANION_PORT, DEV_SANDBOX_PORT } from './extension-identity';

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

const devDefaults: BuildConfig = {
  authorizeUrl: `http://127.0.0.1:${DEV_SANDBOX_PORT}/oauth/authorize`,
  apiUrl: `http://127.0.0.1:${DEV_SANDBOX_PORT}`,
  clientId: DEV_CLIENT_ID,
  companionUrl: `http://127.0.0.1:${DEV_COMPANION_PORT}`,
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

const envNames = {
  authorizeUrl: 'WXT_CARDIOMOOD_AUTHORIZE_URL',
  apiUrl: 'WXT_CARDIOMOOD_API_URL',
  clientId: 'WXT_CARDIOMOOD_CLIENT_ID',
  companionUrl: 'WXT_COMPANION_URL',
} as const satisfies Record<keyof BuildConfig, string>;

/**
 * Resolves the configuration for a WXT mode. `production` takes the real CardioMood URLs by default
 * and requires the client id and the companion URL. With `{ lenient: true }` (used by `wxt prepare`
 * and other non-build commands) missing production values become placeholders instead of an error;
 * the real build always resolves strictly.
 */
export function resolveBuildConfig(
  env: Record<string, string | undefined>,
  mode: 'development' | 'production' | string,
  { lenient = false }: { lenient?: boolean } = {},
): BuildConfig {
  const defaults =
    mode !== 'production' ? devDefaults : lenient ? { ...placeholders, ...productionDefaults } : productionDefaults;
  const raw = Object.fromEntries(
    (Object.keys(envNames) as (keyof BuildConfig)[]).map((key) => [
      key,
      nonEmpty(env[envNames[key]]) ?? defaults[key],
    ]),
  );
  const parsed = buildConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = issue.path[0] as keyof BuildConfig;
      return `${envNames[key]}: ${raw[key] === undefined ? 'must be set for a production build' : issue.message}`;
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
