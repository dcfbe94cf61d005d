import type { Status } from '../../shared/status';

/** The popup's screens; also its root's `data-state` (the e2e tests wait on it). */
export type PopupState =
  | 'signed-out'
  | 'connecting'
  | 'loading'
  | 'readings'
  | 'no-data-today'
  | 'error'
  | 'offline'
  | 'reconnect';

/** Which screen a Status calls for. Cached readings win over an error: stale numbers with a notice beat none. */
export function popupStateOf(status: Status): PopupState {
  switch (status.auth.state) {
    case 'connecting':
      return 'connecting';
    case 'signed_out':
      return 'signed-out';
    case 'reconnect_required':
      return 'reconnect';
    case 'signed_in':
      break;
  }
  const failing = status.sync.state === 'error' || status.sync.state === 'offline';
  if (!status.readings) return failing ? 'error' : 'loading';
  if (failing) return 'offline';
  return status.readings.hasToday ? 'readings' : 'no-data-today';
}
