import { useMemo } from 'preact/hooks';
import { weeklyAverages } from '../../cardiomood/weekly-averages';
import type { History } from '../../shared/readings';
import { useUi } from '../ui-env';
import type { HistoryView } from './history-view';
import { seriesLabel } from './series-label';

/**
 * The period's calendar weeks (Monday to Sunday), newest first, each shown metric averaged over the
 * week's days with a value. A week the period cuts says over how many of its days.
 */
export function WeeklyAveragesTable({ history, view }: { history: History; view: HistoryView }) {
  const { t, format } = useUi();
  const weeks = useMemo(() => weeklyAverages(history).reverse(), [history]);
  return (
    <section aria-labelledby="weekly-heading">
      <h2 id="weekly-heading">{t('weeklyHeading')}</h2>
      <div class="table-scroll" role="region" aria-labelledby="weekly-caption" tabIndex={0}>
        <table data-testid="weekly-table">
          <caption id="weekly-caption">
            <span class="caption-text">{t('weeklyCaption', format.shortDate(history.from), format.shortDate(history.to))}</span>
          </caption>
          <thead>
            <tr>
              <th scope="col">{t('weekColumn')}</th>
              {view.series.map((series) => (
                <th key={series.metric.id} scope="col">
                  {seriesLabel(series, t, format).text}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {weeks.map((week) => (
              <tr key={week.week} data-week={week.week} data-days={String(week.days)}>
                <th scope="row">
                  {t('weekOf', format.shortDate(week.from))}
                  {week.days < 7 && <span class="muted small week-part"> {t('weekPartial', format.number(week.days))}</span>}
                </th>
                {view.series.map((series) => {
                  const average = week.averages[series.metric.id] ?? null;
                  return (
                    <td key={series.metric.id} data-metric={series.metric.id} data-value={average === null ? '' : String(average)}>
                      {average === null ? (
                        <>
                          <span aria-hidden="true">—</span>
                          <span class="sr-only">{t('tableNoValue')}</span>
                        </>
                      ) : (
                        format.number(series.convert(average), series.digits)
                      )}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
