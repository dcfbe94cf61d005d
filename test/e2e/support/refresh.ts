import { waitForPopupState } from './popup';
import { poll, type UiPage } from '../../../src/dev/ui-page';

export async function fetchedAt(popup: UiPage): Promise<number> {
  return Number(await popup.attribute('[data-testid=fetched-at]', 'data-fetched-at'));
}

/**
 * Clicks Refresh and waits until the popup shows readings fetched after the click (a newer
 * `data-fetched-at`), so the click went all the way to the sandbox and back.
 */
export async function refreshReadings(popup: UiPage): Promise<void> {
  const before = await fetchedAt(popup);
  await popup.click('[data-testid=refresh]:not([disabled])');
  await poll('readings newer than the click', async () => ((await fetchedAt(popup)) > before ? true : undefined), {
    timeout: 20_000,
  });
  await waitForPopupState(popup, 'readings');
}
