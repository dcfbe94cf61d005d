import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { createCompanionApp, type CompanionDeps } from './app';
import type { CompanionConfig } from './config';

export interface StartCompanionOptions {
  port?: number;
  host?: string;
  fetch?: typeof fetch;
  log?: (line: object) => void;
  /** How long close() waits for in-flight requests before cutting connections. */
  shutdownGraceMs?: number;
}

export interface RunningCompanion {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves the companion over HTTP on Node (used by node.ts, `npm start`, tests and the benchmark;
 * port 0 picks a free port). close() stops accepting, lets in-flight requests finish, then resolves.
 */
export async function startCompanion(config: CompanionConfig, options: StartCompanionOptions = {}): Promise<RunningCompanion> {
  const host = options.host ?? config.host;
  const port = options.port ?? config.port;
  const deps: CompanionDeps = {
    fetch: options.fetch ?? globalThis.fetch,
    log: options.log ?? ((line) => console.log(JSON.stringify(line))),
    clientAddress: (c) => {
      try {
        return getConnInfo(c).remote.address;
      } catch {
        return undefined;
      }
    },
  };
  const app = createCompanionApp(config, deps);
  const server = createAdaptorServer({ fetch: app.fetch, hostname: host }) as Server;
  // Slow-loris guard: a client gets 10 s to send its headers, 15 s for the whole request.
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  // A keep-alive socket whose request finishes after close() began would otherwise linger until
  // keepAliveTimeout; drop it as soon as its response is out.
  server.on('request', (_request, response) => {
    response.on('finish', () => {
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
  });
  return {
    url: `http://${urlHost}:${address.port}`,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        const force = setTimeout(() => server.closeAllConnections(), options.shutdownGraceMs ?? 10_000);
        force.unref();
        server.close((error) => {
          clearTimeout(force);
          if (error) reject(error);
          else resolve();
        });
        // Idle keep-alive sockets would otherwise hold close() open until they time out.
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
