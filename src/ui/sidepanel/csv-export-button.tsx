import { buildHistoryCsv } from '../../cardiomood/build-history-csv';
import type { History } from '../../shared/readings';
import { useUi } from '../ui-env';
import { downloadText } from './download-text';
import type { HistoryView } from './history-view';
import { seriesLabel } from './series-label';

/**
 * Downloads the period as `cardiomood-<from>_<to>.csv`: a row per day, the columns the table shows,
 * in the member's units and with the table's decimals (ISO dates and `.` decimals whatever the language).
 */
export function CsvExportButton({ history, view }: { history: History; view: HistoryView }) {
  const { t, format } = useUi();
  const exportCsv = () => {
    const columns = view.series.map((series) => ({
      id: series.metric.id,
      header: seriesLabel(series, t, format).text,
      convert: series.convert,
      decimals: series.digits,
    }));
    const csv = buildHistoryCsv(history, columns, t('tableDate'));
    downloadText(csv.fileName, csv.text, 'text/csv;charset=utf-8');
  };
  return (
    <button type="button" data-testid="export-csv" onClick={exportCsv} disabled={view.series.length === 0}>
      {t('exportCsv')}
    </button>
  );
}
