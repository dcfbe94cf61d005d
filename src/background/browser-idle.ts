import { browser } from 'wxt/browser';
import { IDLE_AFTER_SECONDS } from '../shared/policy';
import type { IdleSource } from './create-badge-poll';

/**
 * The browser's idle API (`idle` permission) as the badge poll uses it. Called from the background
 * entrypoint only: WXT's fake browser in the unit tests does not implement it (they pass their own).
 */
export function createBrowserIdle(): IdleSource {
  return {
    queryState: (seconds) => browser.idle.queryState(seconds),
    onStateChanged(listener) {
      // The threshold for onStateChanged (Chrome's default is 60 s); queryState takes its own.
      browser.idle.setDetectionInterval(IDLE_AFTER_SECONDS);
      browser.idle.onStateChanged.addListener(listener);
      return () => browser.idle.onStateChanged.removeListener(listener);
    },
  };
}
