/**
 * Shared by the companion-*.test.ts files: a fake CardioMood token endpoint on 127.0.0.1 and the two
 * runtimes (Node in-process, workerd through Miniflare) behind one interface.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Miniflare } from 'miniflare';
import { buildCompanionWorker } from '../../scripts/companion-build-worker';
import { COMPANION_CSRF_HEADER, COMPANION_CSRF_VALUE } from '../../src/shared/companion-api';
import { parseCompanionConfig } from '../../src/companion/config';
import { createMemoryReplayStore } from '../../src/companion/memory-replay-store';
import { startCompanion } from '../../src/companion/start-companion';
import { WORKER_BINDINGS } from '../../src/companion/worker-env';

/** Unique per run, so a search of logs and responses cannot hit anything by accident. */
export const SECRETS = {
  clientSecret: `client-secret-${randomUUID()}`,
  code: `auth-code-${randomUUID()}`,
  codeVerifier: `verifier-${randomUUID()}-${randomUUID()}`.slice(0, 64),
  accessToken: `access-token-${randomUUID()}`,
  refreshToken: `refresh-token-${randomUUID()}`,
};
export const CLIENT_ID = 'companion-test-client';
export const CHROME_ORIGIN = 'chrome-extension://ikolmnhkljkbkopbpmgocbneeihjlhfp';
export const FIREFOX_ORIGIN = 'moz-extension://0f6b2c1e-3a4d-4e5f-8a9b-1c2d3e4f5a6b';
export const REDIRECT_URI = 'https://ikolmnhkljkbkopbpmgocbneeihjlhfp.chromiumapp.org/';

export const jsonHeaders = {
  'Content-Type': 'application/json',
  [COMPANION_CSRF_HEADER]: COMPANION_CSRF_VALUE,
};

export const exchangeBody = () => ({
  code: SECRETS.code,
  code_verifier: SECRETS.codeVerifier,
  redirect_uri: REDIRECT_URI,
});

export interface UpstreamRequest {
  path: string;
  form: Record<string, string>;
  contentType: string | undefined;
}

export type UpstreamBehaviour =
  | 'oauth'
  | 'slow'
  | 'hang'
  | 'hang-body'
  /** Reads the request, then destroys the connection without a byte of answer. */
  | 'drop'
  /** Starts a 200 answer, then destroys the connection mid-body. */
  | 'drop-mid-body'
  | 'html-500'
  | 'malformed-json'
  | 'schema-invalid'
  | 'invalid-grant'
  | 'invalid-client-echo'
  | 'rate-limited'
  | 'redirect'
  | 'extra-fields'
  | 'echo-request'
  | 'rotating'
  | 'rotating-slow'
  | 'endless-body';

/** Tokens a rotating CardioMood issued for one refresh. */
export interface IssuedTokens {
  access_token: string;
  refresh_token: string;
}

/**
 * A stand-in for CardioMood's /oauth/token and a revoke endpoint. 'oauth' checks the client
 * credentials and grant parameters like a real server; the other behaviours are faults.
 */
export async function startFakeUpstream() {
  const requests: UpstreamRequest[] = [];
  let behaviour: UpstreamBehaviour = 'oauth';
  // 'rotating': like CardioMood, a refresh token is valid once; each refresh issues a new one.
  let liveRefreshTokens = new Set([SECRETS.refreshToken]);
  const issued: IssuedTokens[] = [];
  /** 'endless-body': how much was written before the companion hung up, and whether it did. */
  const endless = { bytesSent: 0, closed: false };
  const listeners = new Set<() => void>();
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    requests.push({ path: req.url ?? '', form, contentType: req.headers['content-type'] });
    // One connection per request: a pooled keep-alive socket that Node closes between tests made
    // workerd's next fetch fail now and then ("unreachable") — a race in the fake, not the companion.
    res.setHeader('Connection', 'close');
    for (const listener of listeners) listener();
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    switch (behaviour) {
      case 'hang':
        return; // never answers; closed by closeAllConnections()
      case 'hang-body':
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write('{"token_type":');
        return;
      case 'drop':
        req.socket.destroy();
        return;
      case 'drop-mid-body':
        // A declared length the body never reaches: the cut cannot pass for the end of the answer.
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '200' });
        res.write('{"token_type":', () => req.socket.destroy());
        return;
      case 'html-500':
        res.writeHead(500, { 'Content-Type': 'text/html' });
        return res.end(`<html><body><h1>Server Error</h1><pre>${form.client_secret}</pre></body></html>`);
      case 'malformed-json':
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return res.end('{"token_type":"Bearer","access_token":');
      case 'schema-invalid':
        return json(200, { token_type: 'mac', access_token: SECRETS.accessToken });
      case 'invalid-grant':
        return json(400, { error: 'invalid_grant', error_description: 'The authorization code is invalid', hint: 'x' });
      case 'invalid-client-echo':
        return json(401, { error: 'invalid_client', error_description: `Client authentication failed for ${form.client_secret}` });
      case 'rate-limited':
        return json(429, { message: 'Too Many Attempts.' }, { 'Retry-After': '42' });
      case 'redirect':
        res.writeHead(307, { Location: 'http://127.0.0.1:9/elsewhere' });
        return res.end();
      case 'extra-fields':
        return json(200, {
          token_type: 'Bearer',
          access_token: SECRETS.accessToken,
          expires_in: 3600,
          id_token: 'should-not-pass',
          client_secret: form.client_secret,
        });
      case 'echo-request':
        // A server that quotes what it was sent: none of it may reach the client or the logs.
        return json(400, {
          error: 'invalid_grant',
          error_description: `Refused ${form.refresh_token ?? form.code} (verifier ${form.code_verifier ?? '-'}, secret ${form.client_secret})`,
        });
      case 'endless-body': {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write('{"token_type":"Bearer","access_token":"');
        const chunk = 'x'.repeat(16 * 1024);
        const pump = () => {
          while (!res.destroyed && endless.bytesSent < 64 * 1024 * 1024) {
            endless.bytesSent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
        };
        res.on('close', () => {
          endless.closed = true;
        });
        return pump();
      }
      case 'rotating-slow':
        await new Promise((resolve) => setTimeout(resolve, 300));
        break;
      case 'slow':
        await new Promise((resolve) => setTimeout(resolve, 300));
        break;
      case 'rotating':
      case 'oauth':
        break;
    }
    if (form.client_id !== CLIENT_ID || form.client_secret !== SECRETS.clientSecret) {
      return json(401, { error: 'invalid_client', error_description: 'Client authentication failed' });
    }
    if (req.url === '/oauth/revoke') return json(200, {});
    if (form.grant_type === 'authorization_code') {
      if (form.code !== SECRETS.code || form.code_verifier !== SECRETS.codeVerifier || form.redirect_uri !== REDIRECT_URI) {
        return json(400, { error: 'invalid_grant', error_description: 'The authorization code is invalid' });
      }
    } else if (form.grant_type === 'refresh_token') {
      if (behaviour === 'rotating' || behaviour === 'rotating-slow') {
        if (!form.refresh_token || !liveRefreshTokens.delete(form.refresh_token)) {
          return json(400, { error: 'invalid_grant', error_description: 'The refresh token is invalid' });
        }
        const tokens = { access_token: `access-${randomUUID()}`, refresh_token: `refresh-${randomUUID()}` };
        liveRefreshTokens.add(tokens.refresh_token);
        issued.push(tokens);
        return json(200, { token_type: 'Bearer', expires_in: 3600, ...tokens });
      }
      if (form.refresh_token !== SECRETS.refreshToken) {
        return json(400, { error: 'invalid_grant', error_description: 'The refresh token is invalid' });
      }
    } else {
      return json(400, { error: 'unsupported_grant_type', error_description: 'grant_type' });
    }
    return json(200, {
      token_type: 'Bearer',
      expires_in: 3600,
      access_token: SECRETS.accessToken,
      refresh_token: SECRETS.refreshToken,
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    tokenUrl: `${url}/oauth/token`,
    revokeUrl: `${url}/oauth/revoke`,
    requests,
    /** What 'rotating' issued, in order. */
    issued,
    endless,
    /** Resolves once CardioMood has received `count` requests in total. */
    received(count: number) {
      return new Promise<void>((resolve) => {
        const check = () => {
          if (requests.length >= count) {
            listeners.delete(check);
            resolve();
          }
        };
        listeners.add(check);
        check();
      });
    },
    behave(next: UpstreamBehaviour) {
      behaviour = next;
    },
    /** Resolves once `check()` holds (polled; the test's own timeout reports a wait that never ends). */
    async until(check: () => boolean) {
      while (!check()) await new Promise((resolve) => setTimeout(resolve, 10));
    },
    /** 'rotating': a refresh token CardioMood will accept once (each test can start from its own). */
    accept(refreshToken: string) {
      liveRefreshTokens.add(refreshToken);
    },
    reset() {
      behaviour = 'oauth';
      requests.length = 0;
      issued.length = 0;
      endless.bytesSent = 0;
      endless.closed = false;
      liveRefreshTokens = new Set([SECRETS.refreshToken]);
      server.closeAllConnections();
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
export type FakeUpstream = Awaited<ReturnType<typeof startFakeUpstream>>;

/** The companion's environment as an operator would set it. */
export function companionEnv(upstream: FakeUpstream, overrides: Record<string, string | undefined> = {}) {
  return {
    CARDIOMOOD_TOKEN_URL: upstream.tokenUrl,
    CARDIOMOOD_REVOKE_URL: upstream.revokeUrl,
    CARDIOMOOD_CLIENT_ID: CLIENT_ID,
    CARDIOMOOD_CLIENT_SECRET: SECRETS.clientSecret,
    COMPANION_REDIRECT_URIS: `${REDIRECT_URI},https://28806eeb53f802f2f9abdf16f2f1698a74e7fef5.extensions.allizom.org/`,
    COMPANION_ALLOWED_ORIGINS: `${CHROME_ORIGIN},moz-extension://*`,
    COMPANION_UPSTREAM_TIMEOUT_MS: '400',
    COMPANION_RATE_LIMIT_PER_MINUTE: '1000',
    ...overrides,
  };
}

export interface RunningRuntime {
  url: string;
  /** Everything the companion logged (Node: the injected log; workerd: the process's stdout/stderr). */
  output: string[];
  /**
   * Everything the replay store holds, as raw text: the memory store's entries on Node, every file of
   * the Durable Objects' SQLite storage on workerd.
   */
  storeContents(): Promise<string>;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** workerd: Durable Object bindings to leave out (a deploy with an old wrangler.toml). */
  withoutBindings?: string[];
}

export interface Runtime {
  name: 'node' | 'workerd';
  start(env: Record<string, string | undefined>, options?: RuntimeOptions): Promise<RunningRuntime>;
}

export const nodeRuntime: Runtime = {
  name: 'node',
  async start(env) {
    const output: string[] = [];
    const replayStore = createMemoryReplayStore({ now: Date.now });
    const companion = await startCompanion(parseCompanionConfig(env), {
      host: '127.0.0.1',
      port: 0,
      log: (line) => output.push(JSON.stringify(line)),
      replayStore,
    });
    return { url: companion.url, output, storeContents: async () => JSON.stringify(replayStore.entries()), close: () => companion.close() };
  },
};

/** The Durable Object classes worker.ts exports, by the binding names wrangler.toml gives them. */
const DURABLE_OBJECTS = {
  [WORKER_BINDINGS.refreshReplay]: 'RefreshReplayObject',
  [WORKER_BINDINGS.rateLimit]: 'RateLimitObject',
};

async function filesText(dir: string): Promise<string> {
  const names = await readdir(dir, { recursive: true, withFileTypes: true });
  const texts = await Promise.all(names.filter((entry) => entry.isFile()).map((entry) => readFile(join(entry.parentPath, entry.name), 'latin1')));
  return texts.join('\n');
}

let workerScript: Promise<string> | undefined;

export const workerdRuntime: Runtime = {
  name: 'workerd',
  async start(env, options = {}) {
    workerScript ??= buildCompanionWorker();
    const output: string[] = [];
    const bindings = Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
    // Persisted to files (not memory) so a test can read exactly what the objects store.
    const storage = await mkdtemp(join(tmpdir(), 'companion-durable-objects-'));
    const mf = new Miniflare({
      modules: true,
      script: await workerScript,
      compatibilityDate: '2025-07-18',
      host: '127.0.0.1',
      port: 0,
      bindings,
      durableObjects: Object.fromEntries(
        Object.entries(DURABLE_OBJECTS)
          .filter(([binding]) => !options.withoutBindings?.includes(binding))
          .map(([binding, className]) => [binding, { className, useSQLite: true }]),
      ),
      durableObjectsPersist: storage,
      handleRuntimeStdio(stdout, stderr) {
        createInterface(stdout).on('line', (line) => output.push(line));
        createInterface(stderr).on('line', (line) => output.push(line));
      },
    });
    const url = await mf.ready;
    return {
      url: url.origin,
      output,
      storeContents: () => filesText(storage),
      async close() {
        await mf.dispose();
        await rm(storage, { recursive: true, force: true });
      },
    };
  },
};

/**
 * workerd writes console output through a pipe, so it can arrive after the response: poll until
 * `done(output)` holds (or give up after `timeoutMs` and let the caller's assertions report).
 */
export async function waitForOutput(running: RunningRuntime, done: (output: string[]) => boolean, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!done(running.output) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
}
