import { HISTORY_RANGES, type HistoryRange } from '../../shared/history-ranges';
import { useUi } from '../ui-env';

export const DEFAULT_RANGE: HistoryRange = 30;

/** 7, 30 or 90 days, as toggle buttons (the pressed one is the range shown). */
export function RangePicker({ days, onChange }: { days: HistoryRange; onChange(days: HistoryRange): void }) {
  const { t, format } = useUi();
  return (
    <div class="range" role="group" aria-labelledby="range-label">
      <span id="range-label" class="muted small">
        {t('rangeLabel')}
      </span>
      {HISTORY_RANGES.map((range) => (
        <button key={range} type="button" data-testid={`range-${range}`} aria-pressed={range === days} onClick={() => onChange(range)}>
          {t('rangeDays', format.number(range))}
        </button>
      ))}
    </div>
  );
}
