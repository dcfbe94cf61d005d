import type { AuthSession } from '../auth/create-auth-session';
import type { Status } from '../shared/status';
import { toStatusSync, type ReadingsStore } from './readings-store';
import type { SettingsState } from './settings-store';

export interface StatusHubDeps {
  session: Pick<AuthSession, 'authStatus'>;
  store: ReadingsStore;
  now: () => number;
  readSettings: () => Promise<SettingsState>;
  /** Sends the derived status to open UI pages (none may be open). */
  broadcast: (status: Status) => Promise<void>;
  /** Paints the toolbar badge for `status` at `now` (epoch ms: whose today the glance must be). */
  setBadge: (status: Status, now: number) => Promise<void>;
}

export interface StatusHub {
  current(): Promise<Status>;
  /**
   * Recompute and push; coalesces bursts of changes into one broadcast per microtask turn. Settles
   * once that broadcast (and badge) is done; it never rejects.
   */
  changed(): Promise<void>;
}

/**
 * Derives the one Status the UI renders from auth and readings state. It holds no state of its own:
 * everything comes from storage (session; local for the settings and why a session ended) and the
 * session's in-flight sign-in, so a restarted worker derives the same Status. Only derived values
 * leave: no token, code or verifier.
 */
export function createStatusHub(deps: StatusHubDeps): StatusHub {
  const { session, store } = deps;
  let scheduled: Promise<void> | null = null;

  async function current(): Promise<Status> {
    const [auth, snapshot, view, sync, settings] = await Promise.all([
      session.authStatus(),
      store.readSnapshot(),
      store.readView(),
      store.readSync(),
      deps.readSettings(),
    ]);
    const signedIn = auth.state === 'signed_in';
    return {
      auth,
      readings: signedIn ? snapshot : null,
      // The glance of the popup's current view: one copy, written with it by the readings service.
      glance: signedIn ? (view?.glance ?? null) : null,
      sync: toStatusSync(sync),
      settings: settings.settings,
      settingsUnreadable: settings.unreadable,
    };
  }

  return {
    current,
    changed() {
      return (scheduled ??= Promise.resolve().then(async () => {
        scheduled = null;
        const status = await current();
        await Promise.all([
          deps.broadcast(status),
          deps.setBadge(status, deps.now()).catch((error: unknown) => console.error('Updating the badge failed', error)),
        ]);
      }).catch((error: unknown) => console.error('Publishing status failed', error)));
    },
  };
}
