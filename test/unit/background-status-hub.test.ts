import { describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createStatusHub } from '../../src/background/create-status-hub';
import { createReadingsStore } from '../../src/background/readings-store';
import { buildGlance } from '../../src/cardiomood/build-glance';
import { buildReadingsSnapshot } from '../../src/cardiomood/build-readings-snapshot';
import { summarySchema } from '../../src/cardiomood/summary-schema';
import { POPUP_VIEW_VERSION } from '../../src/shared/popup-view-keys';
import { DEFAULT_SETTINGS } from '../../src/shared/settings';
import type { Status } from '../../src/shared/status';
import { rawDays } from './cardiomood-fixtures';
import { useStorageItems } from './support/use-storage-items';

const T0 = Date.parse('2026-11-28T12:00:00Z');
const TODAY = '2026-11-28';
const items = useStorageItems();

function setup(authState: Status['auth']['state'] = 'signed_in') {
  const store = createReadingsStore(items());
  const broadcast = vi.fn(async (_status: Status) => undefined);
  const setBadge = vi.fn(async (_status: Status, _now: number) => undefined);
  const hub = createStatusHub({
    session: { authStatus: async () => ({ state: authState, error: null, reason: null }) },
    store,
    now: () => T0,
    readSettings: async () => ({ settings: { ...DEFAULT_SETTINGS, units: 'imperial' }, unreadable: false }),
    broadcast,
    setBadge,
  });
  return { hub, store, broadcast, setBadge };
}

/** A cached glance and snapshot, as the readings service leaves them. */
async function cached(store: ReturnType<typeof createReadingsStore>) {
  const summaries = rawDays(TODAY, 29).map((day) => summarySchema.parse(day));
  const glance = buildGlance({ records: [], today: TODAY, now: T0 });
  const snapshot = buildReadingsSnapshot(summaries, TODAY, T0);
  await store.writeSnapshot(snapshot);
  await store.writeView({ v: POPUP_VIEW_VERSION, glance, units: 'metric', temperature: 'celsius', hidden: [], savedAt: T0 });
  await store.writeSync({ state: 'offline', error: { code: 'NETWORK_ERROR', message: 'offline' }, nextRetryAt: T0 + 30_000, attempt: 2 });
  return { glance, snapshot };
}

describe('createStatusHub', () => {
  describe('current', () => {
    it("should derive the status from storage: the popup view's glance, the snapshot, the sync state without its attempt count, the settings", async () => {
      const { hub, store } = setup();
      const { glance, snapshot } = await cached(store);
      expect(await hub.current()).toEqual({
        auth: { state: 'signed_in', error: null, reason: null },
        readings: snapshot,
        glance,
        sync: { state: 'offline', error: { code: 'NETWORK_ERROR', message: 'offline' }, nextRetryAt: T0 + 30_000 },
        settings: { ...DEFAULT_SETTINGS, units: 'imperial' },
        settingsUnreadable: false,
      });
    });

    it.each(['signed_out', 'reconnect_required', 'connecting'] as const)('should hand out no readings and no glance while %s', async (state) => {
      const { hub, store } = setup(state);
      await cached(store);
      expect(await hub.current()).toMatchObject({ readings: null, glance: null });
    });

    it('should carry no glance before the first refresh', async () => {
      const { hub } = setup();
      expect(await hub.current()).toMatchObject({ readings: null, glance: null, sync: { state: 'idle' } });
    });
  });

  describe('changed', () => {
    it('should publish a burst of changes once, to the pages and the badge (with the time)', async () => {
      const { hub, broadcast, setBadge } = setup();
      hub.changed();
      hub.changed();
      hub.changed();
      await vi.waitFor(() => expect(broadcast).toHaveBeenCalledTimes(1));
      expect(setBadge).toHaveBeenCalledTimes(1);
      expect(setBadge.mock.calls[0]![1]).toBe(T0);
      expect(broadcast.mock.calls[0]![0]).toEqual(setBadge.mock.calls[0]![0]);
    });

    it('should still reach the pages when painting the badge fails', async () => {
      const { hub, broadcast, setBadge } = setup();
      const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
      setBadge.mockRejectedValue(new Error('no action API'));
      hub.changed();
      await vi.waitFor(() => expect(logged).toHaveBeenCalledWith('Updating the badge failed', expect.any(Error)));
      expect(broadcast).toHaveBeenCalledTimes(1);
    });
  });
});
