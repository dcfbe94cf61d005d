import { render, type ComponentType } from 'preact';
import type { MessageKey } from './i18n';
import { UiEnvContext, type UiEnv } from './ui-env';

/** Renders a page into `root` with its environment; sets the document's language and title first. */
export function mountPage(Page: ComponentType, root: HTMLElement, env: UiEnv, titleKey: MessageKey): void {
  document.documentElement.lang = env.t('lang') || 'en';
  document.title = env.t(titleKey);
  render(
    <UiEnvContext.Provider value={env}>
      <Page />
    </UiEnvContext.Provider>,
    root,
  );
}
