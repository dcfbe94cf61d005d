import { onMessage, sendMessage } from '../messaging/protocol';
import { createUiClient, type UiClient, type UiClientDeps } from './ui-client';

/** The background over the protocol (src/messaging/protocol.ts): what a page's requests travel on. */
export function createBrowserClient(): UiClient {
  return createUiClient({ sendMessage: sendMessage as UiClientDeps['sendMessage'], onMessage });
}
