import { useUi } from '../ui-env';
import type { HistoryView } from './history-view';
import { SeriesTable } from './series-table';

/** Every value of the period, newest day first: the charts' text equivalent. */
export function HistoryTable({ view, caption }: { view: HistoryView; caption: string }) {
  const { t, format } = useUi();
  const rows = view.dates
    .map((date, index) => ({
      key: date,
      attributes: { 'data-date': date },
      header: format.shortDate(date),
      value: (series: HistoryView['series'][number]) => series.raw[index] ?? null,
    }))
    .reverse();
  return (
    <SeriesTable
      view={view}
      testId="history-table"
      captionId="history-caption"
      caption={caption}
      firstColumn={t('tableDate')}
      rows={rows}
      intrinsicHeight={rows.length * 23 + 80}
    />
  );
}
