import { poll, type UiPage } from './ui-page';

export const SIDEPANEL = '[data-testid=sidepanel]';

export interface TableRow {
  date: string;
  /** data-value per data-metric; '' means the cell shows no value. */
  cells: Record<string, string>;
}

/** Picks a range and waits until the side panel shows that range's history. */
export async function showRange(page: UiPage, days: 7 | 30 | 90): Promise<void> {
  await page.click(`[data-testid=range-${days}]`);
  await page.waitFor(`${SIDEPANEL}[data-state=ready][data-range="${days}"]`, { timeout: 30_000 });
}

/** The history table as data: one entry per `tr[data-date]`, in page order. */
export async function readHistoryTable(page: UiPage): Promise<TableRow[]> {
  await poll('history table rows', async () => ((await page.count('[data-testid=history-table] tr[data-date]')) > 0 ? true : undefined));
  return page.evaluate(() =>
    [...document.querySelectorAll('[data-testid=history-table] tr[data-date]')].map((row) => ({
      date: row.getAttribute('data-date')!,
      cells: Object.fromEntries(
        [...row.querySelectorAll('td[data-metric]')].map((cell) => [cell.getAttribute('data-metric')!, cell.getAttribute('data-value') ?? '']),
      ),
    })),
  );
}
