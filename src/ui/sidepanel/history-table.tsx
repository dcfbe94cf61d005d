import { useUi } from '../ui-env';
import type { HistoryView } from './history-view';
import { seriesLabel } from './series-label';

/** Every value of the period, newest day first: the charts' text equivalent. */
export function HistoryTable({ view, caption }: { view: HistoryView; caption: string }) {
  const { t, format } = useUi();
  const rows = view.dates.map((date, index) => ({ date, index })).reverse();
  return (
    <div
      class="table-scroll"
      role="region"
      aria-labelledby="history-caption"
      tabIndex={0}
      // The placeholder height content-visibility uses until the table is scrolled into view.
      style={{ containIntrinsicSize: `auto ${rows.length * 23 + 80}px` }}
    >
      <table data-testid="history-table">
        <caption id="history-caption">
          <span class="caption-text">{caption}</span>
        </caption>
        <thead>
          <tr>
            <th scope="col">{t('tableDate')}</th>
            {view.series.map((series) => (
              <th key={series.metric.id} scope="col">
                {seriesLabel(series, t, format).text}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map(({ date, index }) => (
            <tr key={date} data-date={date}>
              <th scope="row">{format.shortDate(date)}</th>
              {view.series.map((series) => {
                const raw = series.raw[index] ?? null;
                const value = series.values[index] ?? null;
                return (
                  <td key={series.metric.id} data-metric={series.metric.id} data-value={raw === null ? '' : String(raw)}>
                    {value === null ? (
                      <>
                        <span aria-hidden="true">—</span>
                        <span class="sr-only">{t('tableNoValue')}</span>
                      </>
                    ) : (
                      format.number(value, series.digits)
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
