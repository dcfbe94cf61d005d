import { waitForPopupState } from './popup';
import { poll, type UiPage } from '../../../src/dev/ui-page';

/** When the extension last asked CardioMood for the readings on screen (the glance's `checkedAt`). */
export async function fetchedAt(popup: UiPage): Promise<number> {
  return Number(await popup.attribute('[data-testid=checked-at]', 'data-at'));
}

/**
 * Clicks Refresh and waits until the popup shows readings checked after the click (a newer
 * `data-at` of "checked …"), so the click went all the way to the sandbox and back.
 */
export async function refreshReadings(popup: UiPage): Promise<void> {
  const before = await fetchedAt(popup);
  await popup.click('[data-testid=refresh]:not([disabled])');
  await poll('readings newer than the click', async () => ((await fetchedAt(popup)) > before ? true : undefined), {
    timeout: 20_000,
  });
  await waitForPopupState(popup, 'readings');
}
