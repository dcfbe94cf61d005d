import type { StorageArea, StorageAreaName } from '../shared/storage-area';
import type { PlatformApi } from './platform';

/**
 * The slice of the extension API a UI page uses without any library: i18n (synchronous in both
 * browsers), the two storage areas the popup's first frame reads, and what `createPlatform` needs.
 * Chrome's `chrome.*` returns promises in MV3 and Firefox's `browser.*` always did, so no polyfill
 * is needed on a page; keeping it (and the messaging library) off the first frame is what lets the
 * popup paint readings before any of them has loaded (docs/performance.md).
 */
export interface ExtensionApi extends PlatformApi {
  i18n: {
    getMessage(key: string, substitutions?: string[]): string;
    getUILanguage(): string;
  };
  storage: Record<StorageAreaName, Pick<StorageArea, 'get'>>;
}

/** The page's own extension API: `browser` where the browser defines it (Firefox), else `chrome`. */
export function extensionApi(): ExtensionApi {
  const scope = globalThis as { browser?: ExtensionApi; chrome?: ExtensionApi };
  const api = scope.browser ?? scope.chrome;
  if (!api) throw new Error('extensionApi() outside an extension page');
  return api;
}
