import type { AddressInfo, Socket } from 'node:net';
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { COMPANION_CLIENT_TIMEOUT_MS } from '../shared/companion-api';
import { createCompanionApp, type CompanionDeps } from './app';
import { COMPANION_ERROR } from './companion-error';
import type { CompanionConfig } from './config';
import type { ReplayStore } from './refresh-replay';

export interface StartCompanionOptions {
  port?: number;
  host?: string;
  fetch?: typeof fetch;
  log?: (line: object) => void;
  /** How long close() waits for in-flight requests before cutting connections. */
  shutdownGraceMs?: number;
  /** Where the replay window keeps answers (default: this process's memory). */
  replayStore?: ReplayStore;
}

export interface RunningCompanion {
  url: string;
  close(): Promise<void>;
}

/** What the extension's wait leaves unspent once CardioMood has had its full timeout: our own work. */
export const ANSWER_MARGIN_MS = 1_000;
/** How often Node looks for requests past their timeouts (its default, 30 s, would let them run 30 s late). */
export const CONNECTIONS_CHECK_INTERVAL_MS = 500;

/**
 * Node's request timeouts, nested inside the extension's: receiving the request, then waiting for
 * CardioMood (COMPANION_UPSTREAM_TIMEOUT_MS), plus our margin and Node's check interval, must end
 * before the extension gives up (COMPANION_CLIENT_TIMEOUT_MS). A client that needs longer to send a
 * few hundred bytes (a slow-loris) would get its answer after nobody waits for it. Node only bounds
 * receiving the request: the response may take as long as CardioMood does.
 */
export function serverTimeouts(upstreamTimeoutMs: number) {
  const requestTimeoutMs = COMPANION_CLIENT_TIMEOUT_MS - upstreamTimeoutMs - ANSWER_MARGIN_MS - CONNECTIONS_CHECK_INTERVAL_MS;
  return { headersTimeoutMs: requestTimeoutMs, requestTimeoutMs };
}

/**
 * Serves the companion over HTTP on Node (used by node.ts, `npm start`, tests and the benchmark;
 * port 0 picks a free port). close() stops accepting, lets in-flight requests finish, then resolves.
 * Every answer, including those for requests Node or the adapter refuse before the app runs, uses
 * the one JSON error shape with Cache-Control: no-store.
 */
export async function startCompanion(config: CompanionConfig, options: StartCompanionOptions = {}): Promise<RunningCompanion> {
  const host = options.host ?? config.host;
  const port = options.port ?? config.port;
  const log = options.log ?? ((line: object) => console.log(JSON.stringify(line)));
  const deps: CompanionDeps = {
    fetch: options.fetch ?? globalThis.fetch,
    log,
    clientAddress: (c) => {
      try {
        return getConnInfo(c).remote.address;
      } catch {
        return undefined;
      }
    },
    ...(options.replayStore ? { replayStore: options.replayStore } : {}),
  };
  const app = createCompanionApp(config, deps);
  const rejected = (status: number, code: string, description: string) => {
    log({ time: new Date().toISOString(), level: 'warn', route: '(unparsed)', status, error: code });
    return { status, body: JSON.stringify({ error: code, error_description: description }) };
  };

  // No default hostname: a request without Host (RFC 9112 §3.2 requires one) reaches the handler below.
  const listener = getRequestListener(app.fetch, {
    // The adapter could not build a Request (backslash in the path, a missing or bad Host, a bad
    // absolute URL): its own answer would be an empty 400.
    errorHandler: () => {
      const { status, body } = rejected(400, COMPANION_ERROR.INVALID_REQUEST, 'The request target or Host header is not valid');
      return new Response(body, { status, headers: errorHeaders() });
    },
  });
  const { headersTimeoutMs, requestTimeoutMs } = serverTimeouts(config.upstreamTimeoutMs);
  const server = createServer(
    {
      headersTimeout: headersTimeoutMs,
      requestTimeout: requestTimeoutMs,
      connectionsCheckingInterval: CONNECTIONS_CHECK_INTERVAL_MS,
      // Node's own refusal of a missing Host is an empty 400; the adapter's goes through errorHandler.
      requireHostHeader: false,
    },
    listener,
  );

  // Requests Node's parser refuses (bad method, header bytes or framing, oversized headers, a
  // request not received in time): Node would write an empty 400/408/431.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    // A response already on its way cannot be replaced (Node's own handler checks the same).
    const inFlight = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const answer =
      error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? rejected(408, COMPANION_ERROR.REQUEST_TIMEOUT, 'The request did not arrive in time')
        : error.code === 'HPE_HEADER_OVERFLOW'
          ? rejected(431, COMPANION_ERROR.INVALID_REQUEST, 'The request headers are too large')
          : rejected(400, COMPANION_ERROR.INVALID_REQUEST, 'The request is not valid HTTP');
    socket.end(rawResponse(answer.status, answer.body));
  });
  // CONNECT is not for us; without a listener Node closes the socket with no answer at all.
  server.on('connect', (_request: IncomingMessage, socket: Socket) => {
    const answer = rejected(405, COMPANION_ERROR.METHOD_NOT_ALLOWED, 'CONNECT is not supported');
    socket.end(rawResponse(answer.status, answer.body, { Allow: 'GET, HEAD, POST, OPTIONS' }));
  });
  // An Expect other than 100-continue: Node would answer an empty 417.
  server.on('checkExpectation', (_request: IncomingMessage, response: ServerResponse) => {
    const answer = rejected(417, COMPANION_ERROR.INVALID_REQUEST, 'Only "Expect: 100-continue" is supported');
    response.writeHead(answer.status, errorHeaders());
    response.end(answer.body);
  });

  let warnedForwardedFor = false;
  server.on('request', (request: IncomingMessage) => {
    if (config.trustProxy === 0 && !warnedForwardedFor && request.headers['x-forwarded-for'] !== undefined) {
      warnedForwardedFor = true;
      // Behind a proxy every client would share the proxy's address, and so one rate-limit bucket.
      log({
        time: new Date().toISOString(),
        level: 'warn',
        msg: 'X-Forwarded-For received while COMPANION_TRUST_PROXY is 0: rate limits key on the connecting address; behind a reverse proxy set COMPANION_TRUST_PROXY to the number of proxies',
      });
    }
  });

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

/** The headers every companion error carries (app.ts sets the same on the app's own answers). */
function errorHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-store',
    Pragma: 'no-cache',
    'X-Content-Type-Options': 'nosniff',
    ...extra,
  };
}

/** A complete HTTP/1.1 error answer for a socket Node has no response object for; the connection closes. */
function rawResponse(status: number, body: string, extra: Record<string, string> = {}): string {
  const headers = { ...errorHeaders(extra), 'Content-Length': String(Buffer.byteLength(body)), Connection: 'close' };
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  return `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${lines.join('\r\n')}\r\n\r\n${body}`;
}
