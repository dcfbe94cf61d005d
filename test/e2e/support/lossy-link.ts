import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { COMPANION_ROUTES } from '../../../src/shared/companion-api';

/** Headers that describe one connection, not the message: never forwarded. */
const HOP_BY_HOP = new Set(['connection', 'content-length', 'host', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/** The link between the extension and the companion, which can lose the companion's answers. */
export interface LossyLink {
  /** Where the extension is built to find its companion. */
  readonly url: string;
  /**
   * The next `times` refreshes are carried out by the companion (CardioMood rotates, the companion's
   * replay window keeps the answer) and then the extension's connection is cut instead of answered.
   */
  loseRefreshAnswers(times?: number): void;
  /** Successful refresh answers lost so far. */
  lost(): number;
  close(): Promise<void>;
}

/**
 * A forwarding proxy on 127.0.0.1 in front of the companion: what a Wi-Fi handoff or a closed lid does
 * to the last leg of a refresh, after CardioMood has rotated the refresh token. (The sandbox's own
 * `grant-then-drop` cuts the leg between CardioMood and the companion, which no replay window at the
 * companion can cover: see test/unit/background-sandbox.test.ts.)
 */
export async function startLossyLink(companionUrl: string): Promise<LossyLink> {
  let toLose = 0;
  let lost = 0;

  async function forward(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) headers.set(name, [value].flat().join(', '));
    }
    const answer = await fetch(`${companionUrl}${request.url ?? '/'}`, {
      method: request.method ?? 'GET',
      headers,
      ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
      redirect: 'manual',
    });
    // Read to the end: the companion has finished with the request (and stored its answer) either way.
    const body = Buffer.from(await answer.arrayBuffer());
    if (request.method === 'POST' && request.url === COMPANION_ROUTES.refresh && toLose > 0) {
      toLose -= 1;
      if (answer.status === 200) lost += 1;
      request.socket.destroy();
      return;
    }
    const forwarded = [...answer.headers].filter(([name]) => !HOP_BY_HOP.has(name) && name !== 'content-encoding');
    response.writeHead(answer.status, Object.fromEntries(forwarded));
    response.end(body);
  }

  const server = createServer((request, response) => {
    forward(request, response).catch(() => response.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    loseRefreshAnswers(times = 1) {
      toLose += times;
    },
    lost: () => lost,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
