import { useMemo } from 'preact/hooks';
import { weeklyAverages } from '../../cardiomood/weekly-averages';
import type { History } from '../../shared/readings';
import { useUi } from '../ui-env';
import type { HistoryView } from './history-view';
import { SeriesTable } from './series-table';

/**
 * The period's calendar weeks (Monday to Sunday), newest first, each shown metric averaged over the
 * week's days with a value. A week the period cuts says over how many of its days.
 */
export function WeeklyAveragesTable({ history, view }: { history: History; view: HistoryView }) {
  const { t, format } = useUi();
  const rows = useMemo(
    () =>
      weeklyAverages(history)
        .reverse()
        .map((week) => ({
          key: week.week,
          attributes: { 'data-week': week.week, 'data-days': String(week.days) },
          header: (
            <>
              {t('weekOf', format.shortDate(week.from))}
              {week.days < 7 && <span class="muted small week-part"> {t('weekPartial', format.number(week.days))}</span>}
            </>
          ),
          value: (series: HistoryView['series'][number]) => week.averages[series.metric.id] ?? null,
        })),
    [history, t, format],
  );
  return (
    <section aria-labelledby="weekly-heading">
      <h2 id="weekly-heading">{t('weeklyHeading')}</h2>
      <SeriesTable
        view={view}
        testId="weekly-table"
        captionId="weekly-caption"
        caption={t('weeklyCaption', format.shortDate(history.from), format.shortDate(history.to))}
        firstColumn={t('weekColumn')}
        rows={rows}
      />
    </section>
  );
}
