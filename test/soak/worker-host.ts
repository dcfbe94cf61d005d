import { AsyncLocalStorage } from 'node:async_hooks';
import { vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';

/** Chrome runs an alarm 30 s after it was set at the earliest (MV3); the soak does the same. */
export const MIN_ALARM_DELAY_MS = 30_000;

/** One lifetime of the background (a service worker from its start until the browser stops it). */
export interface Worker {
  readonly id: number;
  dead: boolean;
  /** The background's cleanup (startBackground's return value). */
  stop?: () => void;
  /** Page messages and alarm deliveries this worker has not finished: each is released when it dies. */
  readonly openPorts: Set<() => void>;
}

/** A write to storage as the browser saw it: `value` null for a removal. */
export interface StorageWrite {
  area: 'local' | 'session';
  key: string;
  value: unknown;
}

export interface WorkerHostOptions {
  now: () => number;
  /** Starts the real background in `worker` (runs inside the worker's context); returns its cleanup. */
  start: (worker: Worker) => () => void;
  /** Sees every storage write before it lands (the soak's own instrumentation, not the code's). */
  onWrite: (write: StorageWrite) => void;
}

export interface WorkerHost {
  /** The running worker, starting one if none runs (an event wakes the background). */
  wake(): Worker;
  current(): Worker | null;
  /** Stops `worker` now: it never runs, answers, writes or sends again; its open ports close. */
  kill(worker: Worker): void;
  /** Runs `fn` as the given worker (its storage, alarm and badge calls are attributed to it). */
  runIn<T>(worker: Worker, fn: () => T): T;
  /** The earliest alarm due at or before `until`, or null. */
  nextAlarm(until: number): Promise<{ at: number; fire(): Promise<void> } | null>;
  /** Fires the alarm `name` now, in the running worker (starting one), whatever its schedule. */
  triggerAlarm(name: string): Promise<void>;
  /** Closes the browser and opens it again: the worker dies, storage.session is emptied, alarms may go. */
  restartBrowser(options: { keepAlarms: boolean }): Promise<void>;
  /** What storage holds (read as the browser, outside any worker). */
  read(area: 'local' | 'session'): Promise<Record<string, unknown>>;
  starts(): number;
  /** Undoes every patch. */
  uninstall(): void;
}

type MessageListener = (message: unknown, sender: { id?: string; url?: string }, sendResponse: (response: unknown) => void) => unknown;

const never = <T>() => new Promise<T>(() => undefined);

/**
 * The browser around the background for the soak, on top of WXT's fake browser: workers that can be
 * killed at any point, the way Chrome stops a service worker. Every call a worker makes is attributed
 * to it through AsyncLocalStorage; once it is dead, its storage, alarm and badge calls never settle (a
 * stopped worker does not get to finish a write), its network answers never arrive (soak-network.ts)
 * and its listeners are gone. The next page message or alarm starts a new worker from the same storage.
 *
 * Also: alarms on the soak's clock with Chrome's 30 s minimum; `chrome.runtime` messaging that wakes
 * the worker and closes the ports of a worker that died (the popup then sees an error, as in Chrome).
 */
export function installWorkerHost(options: WorkerHostOptions): WorkerHost {
  const context = new AsyncLocalStorage<Worker>();
  let current: Worker | null = null;
  let sequence = 0;
  const restores: (() => void)[] = [];
  const inDeadWorker = () => context.getStore()?.dead === true;

  function patch<T extends object, K extends keyof T>(target: T, key: K, replacement: T[K]) {
    const original = target[key];
    target[key] = replacement;
    restores.push(() => {
      target[key] = original;
    });
  }

  /** A call a dead worker makes never returns (and never takes effect). */
  function freezeWhenDead<T extends object, K extends keyof T>(target: T, key: K) {
    const original = target[key] as (...args: unknown[]) => unknown;
    patch(target, key, ((...args: unknown[]) => (inDeadWorker() ? never() : original.apply(target, args))) as T[K]);
  }

  const areas = { local: fakeBrowser.storage.local, session: fakeBrowser.storage.session } as const;
  const rawGet = { local: areas.local.get.bind(areas.local), session: areas.session.get.bind(areas.session) };
  for (const area of ['local', 'session'] as const) {
    const storageArea = areas[area];
    const set = storageArea.set.bind(storageArea);
    const remove = storageArea.remove.bind(storageArea);
    patch(storageArea, 'set', (async (items: Record<string, unknown>) => {
      if (inDeadWorker()) return never();
      for (const [key, value] of Object.entries(items)) options.onWrite({ area, key, value: value ?? null });
      return set(items);
    }) as typeof storageArea.set);
    patch(storageArea, 'remove', (async (keys: string | string[]) => {
      if (inDeadWorker()) return never();
      for (const key of [keys].flat()) options.onWrite({ area, key, value: null });
      return remove(keys);
    }) as typeof storageArea.remove);
    freezeWhenDead(storageArea, 'get');
    freezeWhenDead(storageArea, 'clear');
  }

  const alarms = fakeBrowser.alarms;
  const createAlarm = alarms.create.bind(alarms);
  const clearAlarm = alarms.clear.bind(alarms);
  const allAlarms = alarms.getAll.bind(alarms);
  patch(alarms, 'create', ((name: string, info: { when?: number; delayInMinutes?: number; periodInMinutes?: number }) => {
    if (inDeadWorker()) return never();
    const now = options.now();
    const asked = info.when ?? now + (info.delayInMinutes ?? info.periodInMinutes ?? 0) * 60_000;
    return createAlarm(name, {
      when: Math.max(asked, now + MIN_ALARM_DELAY_MS),
      ...(info.periodInMinutes === undefined ? {} : { periodInMinutes: info.periodInMinutes }),
    });
  }) as typeof alarms.create);
  freezeWhenDead(alarms, 'clear');
  freezeWhenDead(alarms, 'get');
  freezeWhenDead(alarms, 'getAll');
  for (const key of ['setBadgeText', 'setBadgeBackgroundColor', 'setTitle'] as const) freezeWhenDead(fakeBrowser.action, key);
  // WXT's fake browser has no i18n: the key stands for the text.
  patch(fakeBrowser.i18n, 'getMessage', ((key: string) => key) as typeof fakeBrowser.i18n.getMessage);

  function wake(): Worker {
    if (current && !current.dead) return current;
    const worker: Worker = { id: ++sequence, dead: false, openPorts: new Set() };
    current = worker;
    worker.stop = context.run(worker, () => options.start(worker));
    return worker;
  }

  function kill(worker: Worker): void {
    if (worker.dead) return;
    worker.dead = true;
    if (current === worker) current = null;
    context.exit(() => {
      worker.stop?.();
      for (const close of [...worker.openPorts]) close();
    });
  }

  /**
   * Delivers an alarm to the running worker (starting one) and waits for its handlers, or for the
   * worker's death: handlers of a stopped worker never finish, and the browser does not wait for them.
   */
  function dispatchAlarm(alarm: Parameters<typeof fakeBrowser.alarms.onAlarm.trigger>[0]): Promise<void> {
    const worker = wake();
    return new Promise<void>((resolve, reject) => {
      const stopped = () => resolve();
      worker.openPorts.add(stopped);
      context
        .run(worker, () => fakeBrowser.alarms.onAlarm.trigger(alarm))
        .then(() => resolve(), reject)
        .finally(() => worker.openPorts.delete(stopped));
    });
  }

  const listeners = new Set<MessageListener>();
  const runtime = {
    lastError: undefined as { message: string } | undefined,
    get id() {
      return fakeBrowser.runtime.id;
    },
    onMessage: {
      addListener: (listener: MessageListener) => listeners.add(listener),
      removeListener: (listener: MessageListener) => listeners.delete(listener),
      hasListener: (listener: MessageListener) => listeners.has(listener),
    },
    sendMessage(message: unknown, callback?: (response: unknown) => void) {
      const fail = (text: string) =>
        queueMicrotask(() => {
          runtime.lastError = { message: text };
          callback?.(undefined);
          runtime.lastError = undefined;
        });
      const sender = context.getStore();
      if (sender) {
        // The background broadcasting to pages: none are open during a soak (the driver asks instead).
        if (!sender.dead) fail('Could not establish connection. Receiving end does not exist.');
        return;
      }
      const worker = wake();
      let answered = false;
      let pending = 0;
      const closePort = () => {
        if (answered) return;
        answered = true;
        worker.openPorts.delete(closePort);
        fail('The message port closed before a response was received.');
      };
      const respond = (response: unknown) => {
        if (answered || worker.dead) return;
        answered = true;
        worker.openPorts.delete(closePort);
        const copy = structuredClone(response);
        queueMicrotask(() => callback?.(copy));
      };
      worker.openPorts.add(closePort);
      const from = { id: fakeBrowser.runtime.id, url: `chrome-extension://${fakeBrowser.runtime.id}/popup.html` };
      context.run(worker, () => {
        for (const listener of [...listeners]) if (listener(structuredClone(message), from, respond) === true) pending += 1;
      });
      if (!answered && pending === 0) {
        answered = true;
        worker.openPorts.delete(closePort);
        fail('Could not establish connection. Receiving end does not exist.');
      }
    },
  };
  vi.stubGlobal('chrome', { runtime });
  restores.push(() => vi.unstubAllGlobals());

  return {
    wake,
    current: () => current,
    kill,
    runIn: (worker, fn) => context.run(worker, fn),
    async nextAlarm(until) {
      const due = (await context.exit(() => allAlarms())).filter((alarm) => alarm.scheduledTime <= until);
      const alarm = due.reduce<(typeof due)[number] | undefined>((earliest, each) => (!earliest || each.scheduledTime < earliest.scheduledTime ? each : earliest), undefined);
      if (!alarm) return null;
      return {
        at: alarm.scheduledTime,
        async fire() {
          const fired = { ...alarm };
          if (alarm.periodInMinutes) alarm.scheduledTime = options.now() + alarm.periodInMinutes * 60_000;
          else await context.exit(() => clearAlarm(alarm.name));
          await dispatchAlarm(fired);
        },
      };
    },
    triggerAlarm: (name) => dispatchAlarm({ name, scheduledTime: options.now() }),
    async restartBrowser({ keepAlarms }) {
      if (current) kill(current);
      await context.exit(async () => {
        const session = await rawGet.session(null);
        await areas.session.remove(Object.keys(session));
        if (!keepAlarms) await alarms.clearAll();
      });
      wake();
    },
    read: (area) => context.exit(() => rawGet[area](null)),
    starts: () => sequence,
    uninstall() {
      if (current) kill(current);
      for (const restore of restores.reverse()) restore();
      restores.length = 0;
    },
  };
}
