/**
 * `npm run sandbox` as a developer runs it: src/sandbox/main.ts in its own Node process, configured
 * from the environment, stopped with SIGINT/SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { authorizeWithForms, postToken } from '../../src/sandbox/testing/oauth-driver';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface SandboxProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  listening: Promise<string>;
}

const running: SandboxProcess[] = [];

function spawnSandbox(env: Record<string, string>): SandboxProcess {
  // node --import tsx (not npm) so signals reach the sandbox itself.
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/sandbox/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, SANDBOX_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let onOutput: (() => void) | undefined;
  const listening = new Promise<string>((resolve) => {
    onOutput = () => {
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    };
  });
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      onOutput?.();
    });
  }
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const handle = { child, output: () => output, exited, listening };
  running.push(handle);
  return handle;
}

afterEach(async () => {
  for (const handle of running.splice(0)) {
    if (handle.child.exitCode === null) {
      handle.child.kill('SIGKILL');
      await handle.exited;
    }
  }
});

describe('src/sandbox/main.ts', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('should print its URL and the demo credentials and exit 0 on %s', async (signal) => {
    const sandbox = spawnSandbox({ SANDBOX_TIMEZONE: 'Asia/Tokyo' });
    const url = await sandbox.listening;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await expect.poll(() => sandbox.output()).toContain('bob@example.com / bob-demo');
    expect(sandbox.output()).toContain('alice@example.com / alice-demo');
    expect(sandbox.output()).toContain('zone Asia/Tokyo');
    expect((await fetch(url)).status).toBe(200);
    sandbox.child.kill(signal);
    expect(await sandbox.exited).toBe(0);
  });

  it('should register the client and redirect URIs from the environment', async () => {
    const redirectUri = 'https://app.example.test/cb';
    const sandbox = spawnSandbox({
      SANDBOX_CLIENT_ID: 'env-client',
      SANDBOX_CLIENT_SECRET: 'env-secret',
      SANDBOX_REDIRECT_URIS: ` ${redirectUri} ,https://other.example.test/`,
      SANDBOX_ACCESS_TOKEN_TTL: '120',
    });
    const url = await sandbox.listening;
    const location = await authorizeWithForms(url, { clientId: 'env-client', redirectUri, email: 'alice@example.com', password: 'alice-demo' });
    const { status, body } = await postToken(url, {
      grant_type: 'authorization_code',
      code: location.searchParams.get('code') ?? '',
      redirect_uri: redirectUri,
      client_id: 'env-client',
      client_secret: 'env-secret',
    });
    expect(status).toBe(200);
    expect(body.expires_in).toBe(120);
    expect(sandbox.output()).not.toContain('env-secret');
    const devClient = await fetch(`${url}/oauth/authorize?client_id=cardiomood-readings-dev&redirect_uri=${encodeURIComponent(redirectUri)}&response_type=code`);
    expect(devClient.status).toBe(400);
  });

  it.each([
    ['an unknown time zone', { SANDBOX_TIMEZONE: 'Nowhere/Land' }, /Nowhere\/Land/],
    ['a port that is not a number', { SANDBOX_PORT: 'eighty' }, /SANDBOX_PORT/],
    ['a zero access token TTL', { SANDBOX_ACCESS_TOKEN_TTL: '0' }, /SANDBOX_ACCESS_TOKEN_TTL/],
    ['a relative redirect URI', { SANDBOX_REDIRECT_URIS: '/callback' }, /SANDBOX_REDIRECT_URIS/],
  ])('should exit 1 with a message naming the problem for %s', async (_case, env, message) => {
    const sandbox = spawnSandbox(env);
    expect(await sandbox.exited).toBe(1);
    expect(sandbox.output()).toMatch(message);
  });
});
