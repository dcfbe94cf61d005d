import type { HISTORY_RANGES } from '../../shared/readings';
import { useUi } from '../ui-env';

export type Range = (typeof HISTORY_RANGES)[number];
export const RANGES: readonly Range[] = [7, 30, 90];
export const DEFAULT_RANGE: Range = 30;

/** 7, 30 or 90 days, as toggle buttons (the pressed one is the range shown). */
export function RangePicker({ days, onChange }: { days: Range; onChange(days: Range): void }) {
  const { t, format } = useUi();
  return (
    <div class="range" role="group" aria-labelledby="range-label">
      <span id="range-label" class="muted small">
        {t('rangeLabel')}
      </span>
      {RANGES.map((range) => (
        <button key={range} type="button" data-testid={`range-${range}`} aria-pressed={range === days} onClick={() => onChange(range)}>
          {t('rangeDays', format.number(range))}
        </button>
      ))}
    </div>
  );
}
