import type { Glance } from '../../shared/glance';
import type { Status } from '../../shared/status';
import { authScreenOf } from '../auth-screen-of';

/** The popup's screens; also its root's `data-state` (the e2e tests wait on it). */
export type PopupState =
  | 'starting'
  | 'signed-out'
  | 'connecting'
  | 'loading'
  | 'readings'
  | 'no-data-today'
  | 'error'
  | 'offline'
  | 'reconnect';

/**
 * Which screen a Status calls for, given the glance on screen (the status's own, or one painted from
 * storage before the status arrived). A glance wins over an error: stale numbers with a notice beat none.
 */
export function popupStateOf(status: Status, glance: Glance | null = status.glance): PopupState {
  const screen = authScreenOf(status);
  if (screen) return screen;
  const failing = status.sync.state === 'error' || status.sync.state === 'offline';
  if (!glance) return failing ? 'error' : 'loading';
  if (failing) return 'offline';
  return glance.today.hasData ? 'readings' : 'no-data-today';
}
