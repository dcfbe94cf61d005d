import { describe, expect, it, vi } from 'vitest';
import { createPlatform } from '../../src/ui/platform';
import { createUiClient } from '../../src/ui/ui-client';
import type { Status } from '../../src/shared/status';

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('createPlatform', () => {
  it('should open Chrome’s side panel synchronously in the click with the window id looked up beforehand', async () => {
    const open = vi.fn(async () => undefined);
    const platform = createPlatform({
      runtime: { openOptionsPage: vi.fn(async () => undefined) },
      windows: { getCurrent: vi.fn(async () => ({ id: 7 })) },
      sidePanel: { open },
    });
    await flush();
    void platform.openSidePanel!();
    // No await between the click and sidePanel.open: the user gesture is still valid.
    expect(open).toHaveBeenCalledWith({ windowId: 7 });
  });

  it('should look the window up in the click when it was not known yet', async () => {
    const open = vi.fn(async () => undefined);
    const getCurrent = vi.fn(async () => ({ id: 3 }));
    const platform = createPlatform({ runtime: { openOptionsPage: vi.fn(async () => undefined) }, windows: { getCurrent }, sidePanel: { open } });
    await platform.openSidePanel!();
    expect(open).toHaveBeenCalledWith({ windowId: 3 });
  });

  it('should use Firefox’s sidebarAction.open when present', async () => {
    const sidebarOpen = vi.fn(async () => undefined);
    const platform = createPlatform({ runtime: { openOptionsPage: vi.fn(async () => undefined) }, sidebarAction: { open: sidebarOpen } });
    void platform.openSidePanel!();
    expect(sidebarOpen).toHaveBeenCalledTimes(1);
  });

  it('should offer no side panel when the browser has neither API', () => {
    expect(createPlatform({ runtime: { openOptionsPage: vi.fn(async () => undefined) } }).openSidePanel).toBeNull();
  });
});

describe('createUiClient', () => {
  it('should fan one statusChanged listener out to every subscriber and drop it after the last one leaves', () => {
    let registered: ((message: { data: Status }) => void) | null = null;
    const unsubscribe = vi.fn(() => (registered = null));
    const client = createUiClient({
      sendMessage: vi.fn(async () => undefined),
      onMessage: vi.fn((_type, listener) => {
        registered = listener;
        return unsubscribe;
      }),
    });
    const a = vi.fn();
    const b = vi.fn();
    const offA = client.onStatusChanged(a);
    const offB = client.onStatusChanged(b);
    const status = { auth: { state: 'signed_out', error: null }, readings: null, sync: { state: 'idle', error: null, nextRetryAt: null } } as Status;
    registered!({ data: status });
    expect(a).toHaveBeenCalledWith(status);
    expect(b).toHaveBeenCalledWith(status);
    offA();
    expect(unsubscribe).not.toHaveBeenCalled();
    offB();
    expect(unsubscribe).toHaveBeenCalledTimes(1);
  });

  it('should send the request type with its data', async () => {
    const sendMessage = vi.fn(async () => ({ ok: true }));
    const client = createUiClient({ sendMessage, onMessage: vi.fn(() => () => undefined) });
    await client.send('getHistory', { days: 90 });
    expect(sendMessage).toHaveBeenCalledWith('getHistory', { days: 90 });
  });
});
