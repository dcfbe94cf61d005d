import type { AppError, ErrorCode } from '../shared/error-codes';
import type { SessionEndReason } from '../shared/status';
import type { MessageKey, Translate } from './i18n';

/** The member-facing sentence for an error code (`error_<CODE>` in messages.json). */
export function errorText(error: AppError | { code: ErrorCode }, t: Translate): string {
  return t(`error_${error.code}` as MessageKey) || t('error_SERVER_ERROR');
}

/** Why the last session ended, as one sentence; '' for none and for the member's own sign-out. */
export function endReasonText(reason: SessionEndReason | null, t: Translate): string {
  return reason === null || reason === 'signed_out' ? '' : t(`endReason_${reason}`);
}
