import { parseCompanionConfig } from '../companion/config';
import { startCompanion } from '../companion/start-companion';
import { DEV_CLIENT_SECRET } from '../sandbox/dev-client-secret';
import { type RunningSandbox, startSandbox, type StartSandboxOptions } from '../sandbox/node';
import type { BuildConfig } from '../shared/build-config';
import { CHROME_EXTENSION_ID, DEV_CLIENT_ID, EXTENSION_REDIRECT_URIS } from '../shared/extension-identity';

export type { RunningSandbox };

export interface DevStack {
  sandbox: RunningSandbox;
  companion: { url: string; close(): Promise<void> };
  /** What the extension must be built with to talk to these two servers. */
  buildConfig: BuildConfig;
  /** The companion's JSON log lines, newest last (tests print them when something fails). */
  companionLog: object[];
  /** Closes both servers; safe to call twice. */
  close(): Promise<void>;
}

export interface StartDevStackOptions {
  /** 0 (default) picks a free port; `npm start` passes DEV_SANDBOX_PORT / DEV_COMPANION_PORT. */
  sandboxPort?: number;
  companionPort?: number;
  host?: string;
  /** More sandbox options (the bench lifts its per-token rate limit). */
  sandbox?: Omit<StartSandboxOptions, 'host' | 'port'>;
  /**
   * The companion's per-client limit; default 1000, since one test run signs in and refreshes many
   * times from 127.0.0.1 (the limit itself is tested elsewhere).
   */
  companionRateLimitPerMinute?: number;
  /** Where companion log lines go besides `companionLog` (npm start prints them). */
  onCompanionLog?: (line: object) => void;
}

/**
 * The sandbox (CardioMood stand-in) and the companion, in-process on 127.0.0.1, wired to each other
 * exactly as a deployment would be: the companion holds the development client's secret and talks to
 * the sandbox's token and revoke endpoints; only the two extension origins may call it.
 */
export async function startDevStack(options: StartDevStackOptions = {}): Promise<DevStack> {
  const host = options.host ?? '127.0.0.1';
  const sandbox = await startSandbox({ ...options.sandbox, port: options.sandboxPort ?? 0, host });
  const companionLog: object[] = [];
  try {
    const config = parseCompanionConfig({
      CARDIOMOOD_TOKEN_URL: `${sandbox.url}/oauth/token`,
      CARDIOMOOD_REVOKE_URL: `${sandbox.url}/oauth/revoke`,
      CARDIOMOOD_CLIENT_ID: DEV_CLIENT_ID,
      CARDIOMOOD_CLIENT_SECRET: DEV_CLIENT_SECRET,
      COMPANION_REDIRECT_URIS: EXTENSION_REDIRECT_URIS.join(','),
      COMPANION_ALLOWED_ORIGINS: `chrome-extension://${CHROME_EXTENSION_ID},moz-extension://*`,
      HOST: host,
      PORT: String(options.companionPort ?? 0),
      COMPANION_RATE_LIMIT_PER_MINUTE: String(options.companionRateLimitPerMinute ?? 1000),
    });
    const companion = await startCompanion(config, {
      log: (line) => {
        companionLog.push(line);
        options.onCompanionLog?.(line);
      },
      shutdownGraceMs: 2_000,
    });
    let closing: Promise<void> | undefined;
    return {
      sandbox,
      companion,
      companionLog,
      buildConfig: {
        authorizeUrl: `${sandbox.url}/oauth/authorize`,
        apiUrl: sandbox.url,
        clientId: DEV_CLIENT_ID,
        companionUrl: companion.url,
      },
      close() {
        closing ??= Promise.allSettled([companion.close(), sandbox.close()]).then((results) => {
          const failed = results.find((result) => result.status === 'rejected');
          if (failed) throw failed.reason;
        });
        return closing;
      },
    };
  } catch (error) {
    await sandbox.close();
    throw error;
  }
}
