import type { Tile } from '../../shared/readings';
import { metricLabel } from '../metric-labels';
import { displayUnitFor, toDisplayDelta, toDisplayValue, type UnitSettings } from '../units';
import { useUi } from '../ui-env';
import { Sparkline } from './sparkline';

export function TileCard({ tile, settings }: { tile: Tile; settings: UnitSettings }) {
  const { t, format } = useUi();
  const unit = displayUnitFor(tile.unit, settings);
  const show = (value: number) => format.measure(toDisplayValue(value, tile.unit, settings), unit);
  const labelId = `tile-label-${tile.id.replace(/[^\w-]/g, '_')}`;
  return (
    <li class="tile" data-testid={`tile-${tile.id}`} aria-labelledby={labelId}>
      <h3 id={labelId}>
        {metricLabel(tile, t)}
        {tile.assumedUnit && (
          <>
            <span class="assumed" title={t('assumedUnitTitle')} aria-hidden="true">
              *
            </span>
            <span class="sr-only">{t('assumedUnitSr')}</span>
          </>
        )}
      </h3>
      <p class="tile-value" data-testid="tile-value" data-value={tile.value === null ? '' : String(tile.value)}>
        {tile.value === null ? (
          <>
            <span aria-hidden="true">—</span>
            <span class="sr-only">{t('tileNoValue')}</span>
          </>
        ) : (
          show(tile.value)
        )}
      </p>
      <TileChange tile={tile} settings={settings} show={show} />
      {tile.goalPercent !== null && (
        <div class="tile-goal">
          {t('tileGoal', format.percent(tile.goalPercent))}
          <div class="goal-bar" aria-hidden="true">
            <span style={{ width: `${Math.max(0, Math.min(100, tile.goalPercent))}%` }} />
          </div>
        </div>
      )}
      <Sparkline values={tile.sparkline} />
      <p class="sr-only">{sparklineSummary(tile, show, t)}</p>
    </li>
  );
}

function TileChange({ tile, settings, show }: { tile: Tile; settings: UnitSettings; show: (value: number) => string }) {
  const { t, format } = useUi();
  const unit = displayUnitFor(tile.unit, settings);
  if (tile.baselineDays < tile.baselineNeeded) {
    return (
      <p class="tile-change" data-testid="tile-calibrating">
        <span aria-hidden="true">{t('tileCalibrating', tile.baselineDays, tile.baselineNeeded)}</span>
        <span class="sr-only">{t('tileCalibratingSr', tile.baselineDays, tile.baselineNeeded)}</span>
      </p>
    );
  }
  if (tile.delta !== null) {
    const delta = toDisplayDelta(tile.delta, tile.unit, settings);
    const amount = format.measure(Math.abs(delta), unit);
    // Compare what the member sees: a delta that rounds to zero is "at your median".
    const direction = format.measure(0, unit) === amount ? 0 : Math.sign(delta);
    const days = format.number(tile.baselineNeeded);
    const visible = direction > 0 ? t('tileDeltaUp', amount) : direction < 0 ? t('tileDeltaDown', amount) : t('tileDeltaSame');
    const spoken =
      direction > 0 ? t('tileDeltaAboveSr', amount, days) : direction < 0 ? t('tileDeltaBelowSr', amount, days) : t('tileDeltaSameSr', days);
    return (
      <p class="tile-change" data-testid="tile-delta" data-delta={String(tile.delta)}>
        <span aria-hidden="true">{visible}</span>
        <span class="sr-only">{spoken}</span>
      </p>
    );
  }
  if (tile.baseline !== null) {
    return <p class="tile-change">{t('tileMedian', format.number(tile.baselineNeeded), show(tile.baseline))}</p>;
  }
  return null;
}

function sparklineSummary(tile: Tile, show: (value: number) => string, t: ReturnType<typeof useUi>['t']): string {
  const present = tile.sparkline.filter((value): value is number => value !== null);
  if (present.length === 0) return t('sparkNoData', tile.sparkline.length);
  return t('sparkSummary', show(Math.min(...present)), show(Math.max(...present)), present.length, tile.sparkline.length);
}
