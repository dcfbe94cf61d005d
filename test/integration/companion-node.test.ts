/**
 * `npm run companion` as an operator runs it: a separate Node process configured from its
 * environment, logging to stdout, stopped with SIGTERM/SIGINT.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { COMPANION_ROUTES } from '../../src/shared/companion-api';
import { companionEnv, exchangeBody, jsonHeaders, SECRETS, startFakeUpstream, type FakeUpstream } from './companion-harness';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface CompanionProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  /** Resolves with the URL from the start line. */
  listening: Promise<string>;
}

function spawnCompanion(env: Record<string, string | undefined>): CompanionProcess {
  // node --import tsx (not npx/npm) so the signal reaches the companion itself, as under systemd.
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/companion/node.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let onLine: ((text: string) => void) | undefined;
  const listening = new Promise<string>((resolve) => {
    onLine = (text) => {
      const match = /"msg":"companion listening","url":"([^"]+)"/.exec(text);
      if (match?.[1]) resolve(match[1]);
    };
  });
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      onLine?.(output);
    });
  }
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited, listening };
}

describe('node.ts', () => {
  let upstream: FakeUpstream;
  const running: CompanionProcess[] = [];

  beforeAll(async () => {
    upstream = await startFakeUpstream();
  });
  afterEach(async () => {
    upstream.reset();
    for (const companion of running.splice(0)) {
      if (companion.child.exitCode === null) {
        companion.child.kill('SIGKILL');
        await companion.exited;
      }
    }
  });
  afterAll(async () => {
    await upstream?.close();
  });

  it('should exit 1 naming every bad variable and never printing the secret when the configuration is invalid', async () => {
    const companion = spawnCompanion(
      companionEnv(upstream, { CARDIOMOOD_CLIENT_ID: undefined, COMPANION_ALLOWED_ORIGINS: 'https://*.example.org' }),
    );
    running.push(companion);
    expect(await companion.exited).toBe(1);
    const output = companion.output();
    expect(output).toContain('CARDIOMOOD_CLIENT_ID: must be set');
    expect(output).toContain('COMPANION_ALLOWED_ORIGINS: "https://*.example.org" uses a wildcard');
    expect(output).not.toContain(SECRETS.clientSecret);
    expect(output).not.toContain('companion listening');
  });

  it('should log one start line and one line per request on stdout, with no secret, over a full token lifecycle', async () => {
    const companion = spawnCompanion({ ...companionEnv(upstream), PORT: '0' });
    running.push(companion);
    const url = await companion.listening;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const post = (path: string, body: unknown) => fetch(new URL(path, url), { method: 'POST', headers: jsonHeaders, body: JSON.stringify(body) });
    expect((await post(COMPANION_ROUTES.exchange, exchangeBody())).status).toBe(200);
    expect((await post(COMPANION_ROUTES.refresh, { refresh_token: SECRETS.refreshToken })).status).toBe(200);
    expect((await post(COMPANION_ROUTES.revoke, { token: SECRETS.accessToken, token_type_hint: 'access_token' })).status).toBe(200);
    expect((await post(COMPANION_ROUTES.exchange, { ...exchangeBody(), code: `${SECRETS.code}-bad` })).status).toBe(400);

    companion.child.kill('SIGTERM');
    expect(await companion.exited).toBe(0);
    const lines = companion.output().trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.filter((line) => 'route' in line).map((line) => [line.route, line.status])).toEqual([
      [COMPANION_ROUTES.exchange, 200],
      [COMPANION_ROUTES.refresh, 200],
      [COMPANION_ROUTES.revoke, 200],
      [COMPANION_ROUTES.exchange, 400],
    ]);
    for (const [name, value] of Object.entries(SECRETS)) {
      expect(companion.output().includes(value), `${name} appears on stdout`).toBe(false);
    }
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('should finish the in-flight request, refuse new ones and exit 0 on %s', async (signal) => {
    upstream.behave('slow');
    const companion = spawnCompanion({ ...companionEnv(upstream), PORT: '0', COMPANION_UPSTREAM_TIMEOUT_MS: '5000' });
    running.push(companion);
    const url = await companion.listening;
    const inFlight = fetch(new URL(COMPANION_ROUTES.refresh, url), {
      method: 'POST',
      headers: jsonHeaders,
      body: JSON.stringify({ refresh_token: SECRETS.refreshToken }),
    });
    await upstream.received(1);
    companion.child.kill(signal);
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect((await response.json()).access_token).toBe(SECRETS.accessToken);
    expect(await companion.exited).toBe(0);
    await expect(fetch(new URL(COMPANION_ROUTES.health, url))).rejects.toThrow();
  });
});
