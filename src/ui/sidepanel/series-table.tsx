import type { ComponentChildren } from 'preact';
import { useUi } from '../ui-env';
import type { HistoryView, MetricSeries } from './history-view';
import { seriesLabel } from './series-label';

export interface SeriesTableRow {
  key: string;
  /** Data attributes of the row (`data-date`, `data-week`, …). */
  attributes: Record<string, string>;
  /** The row header (a date, a week). */
  header: ComponentChildren;
  /** The row's canonical value for a series; null shows a dash and "no value". */
  value(series: MetricSeries): number | null;
}

/**
 * A table of the shown series, one column each (header: label and unit), in a focusable region that
 * scrolls sideways. Cells show the value in the member's unit with the series' decimals and keep the
 * canonical value in `data-value`.
 */
export function SeriesTable(props: { view: HistoryView; testId: string; captionId: string; caption: string; firstColumn: string; rows: SeriesTableRow[]; intrinsicHeight?: number }) {
  const { view, testId, captionId, caption, firstColumn, rows, intrinsicHeight } = props;
  const { t, format } = useUi();
  return (
    <div
      class="table-scroll"
      role="region"
      aria-labelledby={captionId}
      tabIndex={0}
      // The placeholder height content-visibility uses until the table is scrolled into view.
      style={intrinsicHeight === undefined ? undefined : { containIntrinsicSize: `auto ${intrinsicHeight}px` }}
    >
      <table data-testid={testId}>
        <caption id={captionId}>
          <span class="caption-text">{caption}</span>
        </caption>
        <thead>
          <tr>
            <th scope="col">{firstColumn}</th>
            {view.series.map((series) => (
              <th key={series.metric.id} scope="col">
                {seriesLabel(series, t, format).text}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.key} {...row.attributes}>
              <th scope="row">{row.header}</th>
              {view.series.map((series) => {
                const value = row.value(series);
                return (
                  <td key={series.metric.id} data-metric={series.metric.id} data-value={value === null ? '' : String(value)}>
                    {value === null ? (
                      <>
                        <span aria-hidden="true">—</span>
                        <span class="sr-only">{t('tableNoValue')}</span>
                      </>
                    ) : (
                      format.number(series.convert(value), series.digits)
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
