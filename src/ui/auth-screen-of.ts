import type { Status } from '../shared/status';

/** What a page shows instead of readings while the member is not signed in. */
export type AuthScreen = 'signed-out' | 'connecting' | 'reconnect';

/**
 * The one status-to-screen rule every page shares: which connection screen the status calls for, or
 * null when the member is signed in and the page shows its own data (popup: the glance; side panel:
 * the history). Each page's `data-state` starts from it.
 */
export function authScreenOf(status: Status): AuthScreen | null {
  switch (status.auth.state) {
    case 'connecting':
      return 'connecting';
    case 'signed_out':
      return 'signed-out';
    case 'reconnect_required':
      return 'reconnect';
    case 'signed_in':
      return null;
  }
}
