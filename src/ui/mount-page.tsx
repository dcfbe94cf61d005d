import { render, type VNode } from 'preact';
import type { MessageKey } from './i18n';
import { UiEnvContext, type UiEnv } from './ui-env';

/** Renders a page into `root` with its environment; sets the document's language and title first. */
export function mountPage(page: VNode, root: HTMLElement, env: UiEnv, titleKey: MessageKey): void {
  document.documentElement.lang = env.t('lang') || 'en';
  document.title = env.t(titleKey);
  render(<UiEnvContext.Provider value={env}>{page}</UiEnvContext.Provider>, root);
}
