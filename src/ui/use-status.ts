import { useLayoutEffect, useState } from 'preact/hooks';
import type { Status } from '../shared/status';
import { useUi } from './ui-env';

export interface StatusHandle {
  /** The background's status; null until its first answer. */
  status: Status | null;
  /** The background did not answer (the worker failed to start, the extension was reloaded, …). */
  unreachable: boolean;
  setStatus(next: Status | ((current: Status | null) => Status | null)): void;
  /** Asks for the status again (the "Try again" of an unreachable background). */
  reload(): void;
  /** Runs the sign-in in the background; shows "connecting" at once. */
  signIn(): void;
  signOut(): void;
}

/**
 * The background's status for a page: the first `getStatus` answer, then every `statusChanged`
 * broadcast, and the actions every page offers (sign in, sign out) with the status they return.
 */
export function useStatus(): StatusHandle {
  const { client } = useUi();
  const [status, setStatus] = useState<Status | null>(null);
  const [unreachable, setUnreachable] = useState(false);

  // A layout effect, not useEffect: Preact runs those only after the next frame, and the listener
  // must be in place (and the request sent) before the first answer can arrive.
  useLayoutEffect(() => {
    let alive = true;
    const off = client.onStatusChanged((next) => alive && setStatus(next));
    client.getStatus().then(
      // A broadcast that arrived first is newer than this answer.
      (first) => alive && setStatus((current) => current ?? first),
      () => alive && setUnreachable(true),
    );
    return () => {
      alive = false;
      off();
    };
  }, [client]);

  const reload = () => {
    setUnreachable(false);
    client.getStatus().then(setStatus, () => setUnreachable(true));
  };
  /** An action's own answer, or the background's status when the action failed to return one. */
  const settle = (action: Promise<{ ok: true; value: Status } | { ok: false }>) =>
    action.then(
      (result) => (result.ok ? setStatus(result.value) : reload()),
      () => reload(),
    );
  return {
    status,
    unreachable,
    setStatus,
    reload,
    signIn() {
      setStatus((current) => current && { ...current, auth: { ...current.auth, state: 'connecting', error: null } });
      void settle(client.send('signIn'));
    },
    signOut() {
      void settle(client.send('signOut'));
    },
  };
}
