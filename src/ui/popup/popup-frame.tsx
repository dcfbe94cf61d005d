import type { ComponentChildren } from 'preact';
import type { Translate } from '../i18n';
import type { Platform } from '../platform';
import type { PopupState } from './popup-state';

export interface PopupFrameProps {
  t: Translate;
  platform: Platform;
  /** The root's `data-state` (the e2e tests and the bench wait on it). */
  state: PopupState;
  /** Where the glance on screen comes from: `status`, or a stored view (`session`, `local`). */
  source?: string | undefined;
  signedIn: boolean;
  /** A refresh is running (its button turns into a spinner). */
  busy: boolean;
  onRefresh(): void;
  onSignOut(): void;
  children: ComponentChildren;
}

/**
 * The popup around its content: title and Refresh, then the controls and the disclaimer at the
 * bottom. Hook-free and context-free, like the glance: the first frame paints it before the rest of
 * the popup (and its handlers) has loaded.
 */
export function PopupFrame({ t, platform, state, source, signedIn, busy, onRefresh, onSignOut, children }: PopupFrameProps) {
  const openSidePanel = platform.openSidePanel;
  return (
    <div class="popup" data-testid="popup" data-state={state} data-view={source}>
      <header class="popup-bar">
        <h1>{t('extName')}</h1>
        {signedIn && (
          <button type="button" data-testid="refresh" onClick={onRefresh} disabled={busy} aria-busy={busy}>
            {busy ? <span class="spinner" aria-hidden="true" /> : <span aria-hidden="true">↻ </span>}
            {busy ? <span class="sr-only">{t('refreshing')}</span> : t('refresh')}
          </button>
        )}
      </header>
      <main>{children}</main>
      <footer class="popup-footer">
        {signedIn && (
          <div class="actions">
            {openSidePanel && (
              <button
                type="button"
                data-testid="open-sidepanel"
                onClick={() => {
                  // Called synchronously from the click: both browsers require the user gesture.
                  openSidePanel().catch((error: unknown) => console.error('Opening the side panel failed', error));
                }}
              >
                {t('openSidePanel')}
              </button>
            )}
            <button type="button" data-testid="open-options" onClick={() => void platform.openOptionsPage()}>
              {t('openOptions')}
            </button>
            <button type="button" class="link" data-testid="sign-out" onClick={onSignOut}>
              {t('signOut')}
            </button>
          </div>
        )}
        <p class="disclaimer muted">{t('notMedicalDevice')}</p>
      </footer>
    </div>
  );
}
