import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Format } from './format';
import type { Translate } from './i18n';
import type { Platform } from './platform';
import type { UiClient } from './ui-client';

/** Everything a page needs from outside: injected by the entry point, or by a test. */
export interface UiEnv {
  client: UiClient;
  t: Translate;
  format: Format;
  platform: Platform;
  now: () => number;
}

export const UiEnvContext = createContext<UiEnv | null>(null);

export function useUi(): UiEnv {
  const env = useContext(UiEnvContext);
  if (!env) throw new Error('useUi() outside <UiEnvContext.Provider>');
  return env;
}
