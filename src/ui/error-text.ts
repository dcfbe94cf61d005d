import type { AppError, ErrorCode } from '../shared/error-codes';
import type { MessageKey, Translate } from './i18n';

/** The member-facing sentence for an error code (`error_<CODE>` in messages.json). */
export function errorText(error: AppError | { code: ErrorCode }, t: Translate): string {
  return t(`error_${error.code}` as MessageKey) || t('error_SERVER_ERROR');
}
