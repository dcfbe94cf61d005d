import type { ProtocolMap } from '../messaging/protocol';
import type { Status } from '../shared/status';

/** Messages a page may send (everything but the background's own broadcast). */
export type Request = Exclude<keyof ProtocolMap, 'statusChanged'>;
export type Answer<K extends Request> = ReturnType<ProtocolMap[K]>;
export type Send = <K extends Request>(type: K, ...data: Parameters<ProtocolMap[K]>) => Promise<Answer<K>>;

/** What UI pages know of the background: requests and the status broadcast. Nothing else. */
export interface UiClient {
  send: Send;
  /** getStatus; rejects if the background refused it (it refuses only senders that are not our pages). */
  getStatus(): Promise<Status>;
  /** Subscribes to `statusChanged`; returns the cleanup. */
  onStatusChanged(listener: (status: Status) => void): () => void;
}

export interface UiClientDeps {
  /** The protocol's `sendMessage` (or a fake in tests). */
  sendMessage: (type: Request, data?: unknown) => Promise<unknown>;
  /** The protocol's `onMessage`, used for `statusChanged` only. */
  onMessage: (type: 'statusChanged', listener: (message: { data: Status }) => void) => () => void;
}

/**
 * The one gateway between a page and the background. Pages get it injected (tests pass a fake
 * background), the entry points build it from src/messaging/protocol.ts.
 */
export function createUiClient(deps: UiClientDeps): UiClient {
  const listeners = new Set<(status: Status) => void>();
  let unsubscribe: (() => void) | null = null;
  const send = ((type: Request, ...data: unknown[]) => deps.sendMessage(type, data[0])) as Send;
  return {
    send,
    async getStatus() {
      const answer = await send('getStatus');
      if ('ok' in answer) throw new Error(`the background refused getStatus: ${answer.error.code}`);
      return answer;
    },
    onStatusChanged(listener) {
      listeners.add(listener);
      // The messaging library allows one listener per type and context: fan out from one.
      unsubscribe ??= deps.onMessage('statusChanged', ({ data }) => listeners.forEach((each) => each(data)));
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) {
          unsubscribe?.();
          unsubscribe = null;
        }
      };
    },
  };
}
