/**
 * `npm run companion`: the companion on Node, configured from process.env (see docs/deploy.md).
 * The only Node file that reads the environment or opens a port.
 */
import { CompanionConfigError, parseCompanionConfig } from './config';
import { startCompanion } from './start-companion';

const log = (line: object) => console.log(JSON.stringify(line));

async function main() {
  let config;
  try {
    config = parseCompanionConfig(process.env);
  } catch (error) {
    if (error instanceof CompanionConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const companion = await startCompanion(config, { log });
  log({ time: new Date().toISOString(), level: 'info', msg: 'companion listening', url: companion.url });

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log({ time: new Date().toISOString(), level: 'info', msg: 'companion stopping', signal });
    companion.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('companion: error while closing:', error instanceof Error ? error.name : 'unknown');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  // e.g. EADDRINUSE: the code and message name the port, never a secret.
  console.error('companion: failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
