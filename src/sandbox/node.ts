import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { createSandbox, type SandboxControl, type SandboxOptions } from './create-sandbox';

export interface StartSandboxOptions extends SandboxOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
}

export interface RunningSandbox {
  /** `http://127.0.0.1:<actual port>` */
  url: string;
  control: SandboxControl;
  close(): Promise<void>;
}

/** Serves the sandbox over HTTP on Node (tests, `npm start`, the benchmark). */
export async function startSandbox(options: StartSandboxOptions = {}): Promise<RunningSandbox> {
  const host = options.host ?? '127.0.0.1';
  let url: string | undefined;
  const { app, control } = createSandbox({ ...options, baseUrl: options.baseUrl ?? (() => url) });
  const server = createAdaptorServer({ fetch: app.fetch, hostname: host }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    control,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets (browsers, fetch) would otherwise hold close() open.
        server.closeIdleConnections();
        const force = setTimeout(() => server.closeAllConnections(), 2_000);
        force.unref();
      });
      return closing;
    },
  };
}
