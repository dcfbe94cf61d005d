import { poll, type UiPage } from '../../../src/dev/ui-page';

export const SIDEPANEL = '[data-testid=sidepanel]';

export interface TableRow {
  date: string;
  /** data-value per data-metric; '' means the cell shows no value. */
  cells: Record<string, string>;
}

/** Picks a range and waits until the side panel shows that range's history, its table (which follows the charts by a task) included. */
export async function showRange(page: UiPage, days: 7 | 30 | 90): Promise<void> {
  await page.click(`[data-testid=range-${days}]`);
  await page.waitFor(`${SIDEPANEL}[data-state=ready][data-range="${days}"]`, { timeout: 30_000 });
  await poll(`the table to show ${days} days`, async () => ((await page.count('[data-testid=history-table] tr[data-date]')) === days ? true : undefined));
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

export interface CapturedDownload {
  /** The `download` name of the link the page clicked. */
  name: string;
  /** The Blob's type and text. */
  type: string;
  text: string;
}

/**
 * Makes the page keep, instead of saving, what it downloads the way the side panel does (a Blob URL
 * on a clicked `<a download>`): each click records the link's file name and the Blob's contents.
 */
export async function captureDownloads(page: UiPage): Promise<void> {
  await page.evaluate(() => {
    const scope = globalThis as unknown as { e2eDownloads?: Array<Promise<{ name: string; type: string; text: string }>> };
    if (scope.e2eDownloads) return;
    scope.e2eDownloads = [];
    const blobs = new Map<string, Blob>();
    const createObjectURL = URL.createObjectURL.bind(URL);
    URL.createObjectURL = (blob: Blob | MediaSource) => {
      const url = createObjectURL(blob);
      if (blob instanceof Blob) blobs.set(url, blob);
      return url;
    };
    HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
      const blob = blobs.get(this.href);
      if (blob) scope.e2eDownloads!.push(blob.text().then((text) => ({ name: this.download, type: blob.type, text })));
    };
  });
}

/** What the page downloaded since `captureDownloads`, oldest first. */
export async function readCapturedDownloads(page: UiPage): Promise<CapturedDownload[]> {
  return page.evaluate(() => Promise.all((globalThis as unknown as { e2eDownloads?: Array<Promise<CapturedDownload>> }).e2eDownloads ?? []));
}
