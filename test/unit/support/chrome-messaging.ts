import { vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';

type Listener = (message: unknown, sender: { id?: string; url?: string }, sendResponse: (response: unknown) => void) => unknown;

/**
 * @webext-core/messaging calls the callback-style `chrome.runtime.sendMessage`, which WXT's promise-based
 * fake browser does not answer. This stands in for just that part of `chrome.runtime`, with Chrome's
 * semantics: every listener sees the message, the first `sendResponse` wins, a listener returning `true`
 * answers asynchronously, and no answer at all sets `lastError` ("Receiving end does not exist").
 * Every message lands in `sent` and every answer in `answers`, so tests can inspect all that crossed.
 */
export function installChromeMessaging(sender: { id?: string; url?: string } = {}) {
  const listeners = new Set<Listener>();
  const sent: unknown[] = [];
  const answers: unknown[] = [];
  const runtime = {
    lastError: undefined as { message: string } | undefined,
    get id() {
      return fakeBrowser.runtime.id;
    },
    onMessage: {
      addListener: (listener: Listener) => listeners.add(listener),
      removeListener: (listener: Listener) => listeners.delete(listener),
      hasListener: (listener: Listener) => listeners.has(listener),
    },
    sendMessage(message: unknown, callback?: (response: unknown) => void) {
      sent.push(structuredClone(message));
      let answered = false;
      let pending = 0;
      const from = { id: fakeBrowser.runtime.id, url: `chrome-extension://${fakeBrowser.runtime.id}/popup.html`, ...sender };
      const respond = (response: unknown) => {
        if (answered) return;
        answered = true;
        answers.push(structuredClone(response));
        queueMicrotask(() => callback?.(structuredClone(response)));
      };
      for (const listener of [...listeners]) {
        if (listener(structuredClone(message), from, respond) === true) pending += 1;
      }
      if (!answered && pending === 0) {
        queueMicrotask(() => {
          runtime.lastError = { message: 'Could not establish connection. Receiving end does not exist.' };
          callback?.(undefined);
          runtime.lastError = undefined;
        });
      }
    },
  };
  vi.stubGlobal('chrome', { runtime });
  return { sent, answers, listeners };
}
