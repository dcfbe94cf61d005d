import type { Status } from '../shared/status';
import type { AuthScreen } from './auth-screen-of';
import { endReasonText, errorText } from './error-text';
import type { MessageKey } from './i18n';
import { useUi } from './ui-env';

/**
 * What every page shows while the member is not signed in: Connect (with why the last attempt
 * failed), Reconnect with why the session ended, or the wait for the CardioMood window.
 * `body` says what connecting gives on this page.
 */
export function ConnectPanel({ screen, status, body, onConnect }: { screen: AuthScreen; status: Status; body: MessageKey; onConnect(): void }) {
  const { t } = useUi();
  if (screen === 'connecting') {
    return (
      <section class="connect stack">
        <p role="status">
          <span class="spinner" aria-hidden="true" /> {t('connecting')}
        </p>
        <p class="muted small">{t('connectingHint')}</p>
      </section>
    );
  }
  const reconnect = screen === 'reconnect';
  const error = status.auth.error;
  return (
    <section class="connect stack" aria-labelledby="connect-heading">
      <h2 id="connect-heading">{t(reconnect ? 'reconnectHeading' : 'signedOutHeading')}</h2>
      {/* Why the session ended (revoked, refused, …); the member's own sign-out needs no reason. */}
      {reconnect && (
        <p data-testid="end-reason" data-reason={status.auth.reason ?? ''}>
          {endReasonText(status.auth.reason, t)}
        </p>
      )}
      <p class="muted">{t(reconnect ? 'reconnectBody' : body)}</p>
      {/* Always in the page, so a failure that arrives later is announced. */}
      <p role="status" class="error" data-testid={error ? 'auth-error' : undefined} data-code={error?.code}>
        {error ? errorText(error, t) : ''}
      </p>
      <button type="button" class="primary" data-testid="connect" onClick={onConnect}>
        {t(reconnect ? 'reconnect' : error ? 'connectAgain' : 'connect')}
      </button>
    </section>
  );
}
