import { poll, type UiPage } from '../../../src/dev/ui-page';

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

export interface HistoryTableText {
  /** Column header per metric id, as shown ("Distance (mi)"). */
  headers: Record<string, string>;
  rows: Array<{ date: string; cells: Record<string, { value: string; text: string }> }>;
}

/**
 * The history table as the member reads it: header texts and each cell's shown text next to its
 * canonical data-value. Metric ids come from the cells; headers match them by column position.
 */
export async function readHistoryTableText(page: UiPage): Promise<HistoryTableText> {
  await poll('history table rows', async () => ((await page.count('[data-testid=history-table] tr[data-date]')) > 0 ? true : undefined));
  return page.evaluate(() => {
    const table = document.querySelector('[data-testid=history-table]')!;
    const rows = [...table.querySelectorAll('tr[data-date]')].map((row) => ({
      date: row.getAttribute('data-date')!,
      cells: Object.fromEntries(
        [...row.querySelectorAll('td[data-metric]')].map((cell) => [
          cell.getAttribute('data-metric')!,
          { value: cell.getAttribute('data-value') ?? '', text: cell.textContent ?? '' },
        ]),
      ),
    }));
    const metrics = Object.keys(rows[0]?.cells ?? {});
    // The first header is the date column.
    const headerCells = [...table.querySelectorAll('thead th')].slice(1);
    if (headerCells.length !== metrics.length) throw new Error(`${headerCells.length} metric headers for ${metrics.length} columns`);
    const headers = Object.fromEntries(metrics.map((metric, index) => [metric, headerCells[index]!.textContent ?? '']));
    return { headers, rows };
  });
}
