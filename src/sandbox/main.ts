/**
 * `npm run sandbox`: the CardioMood stand-in on its own, configured from the environment.
 * SANDBOX_HOST, SANDBOX_PORT, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SANDBOX_REDIRECT_URIS
 * (comma-separated), SANDBOX_ACCESS_TOKEN_TTL (seconds), SANDBOX_TIMEZONE (IANA),
 * SANDBOX_CONTROL_ROUTES=1 (mount /__sandbox/*).
 */
import { DEV_CLIENT_ID, EXTENSION_REDIRECT_URIS } from '../shared/extension-identity';
import { DEV_CLIENT_SECRET } from './dev-client-secret';
import { startSandbox } from './node';

function fail(message: string): never {
  console.error(`sandbox: ${message}`);
  process.exit(1);
}

function integer(name: string, fallback: number, min: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  if (!/^\d+$/.test(text) || Number(text) < min) fail(`${name} must be a whole number >= ${min}, got "${text}"`);
  return Number(text);
}

async function main() {
  const env = process.env;
  const redirectUris = env.SANDBOX_REDIRECT_URIS
    ? env.SANDBOX_REDIRECT_URIS.split(',').map((uri) => uri.trim()).filter(Boolean)
    : [...EXTENSION_REDIRECT_URIS];
  for (const uri of redirectUris) {
    if (!URL.canParse(uri)) fail(`SANDBOX_REDIRECT_URIS: "${uri}" is not an absolute URL`);
  }
  const clientId = env.SANDBOX_CLIENT_ID || DEV_CLIENT_ID;
  const sandbox = await startSandbox({
    host: env.SANDBOX_HOST || '127.0.0.1',
    // Where a development build looks for CardioMood by default (src/shared/build-config.ts).
    port: integer('SANDBOX_PORT', 8787, 0),
    clients: [{ clientId, clientSecret: env.SANDBOX_CLIENT_SECRET || DEV_CLIENT_SECRET, redirectUris }],
    accessTokenTtlSeconds: integer('SANDBOX_ACCESS_TOKEN_TTL', 3600, 1),
    ...(env.SANDBOX_TIMEZONE ? { timeZone: env.SANDBOX_TIMEZONE } : {}),
    enableControlRoutes: env.SANDBOX_CONTROL_ROUTES === '1',
  });

  console.log(`CardioMood sandbox listening on ${sandbox.url}`);
  console.log(`  authorize: ${sandbox.url}/oauth/authorize   token: ${sandbox.url}/oauth/token   data: ${sandbox.url}/user-summaries`);
  console.log(`  client: ${clientId}   redirect URIs: ${redirectUris.join(', ')}`);
  console.log('  demo members (sign in on the sandbox page):');
  for (const member of sandbox.control.members()) {
    console.log(`    ${member.email} / ${member.password}   (zone ${sandbox.control.memberTimeZone(member.email)}, today ${sandbox.control.memberLocalToday(member.email)})`);
  }
  if (env.SANDBOX_CONTROL_ROUTES === '1') console.log(`  control routes: ${sandbox.url}/__sandbox/stats …`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`sandbox: ${signal}, stopping`);
    sandbox.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  // e.g. EADDRINUSE or an unknown SANDBOX_TIMEZONE; never prints a secret.
  console.error('sandbox: failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
