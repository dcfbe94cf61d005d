export type GlanceDayKey = 'today' | 'yesterday';
const DAYS: readonly GlanceDayKey[] = ['today', 'yesterday'];
const OTHER = { today: 'yesterday', yesterday: 'today' } as const;

/**
 * Today / Yesterday as an ARIA tab list (https://www.w3.org/WAI/ARIA/apg/patterns/tabs/): one tab
 * stop, arrow keys (and Home/End) move between the tabs and select them, the panel follows.
 * Controlled (the popup holds the choice) and hook-free, like the rest of the glance.
 */
export function DaySwitch(props: { selected: GlanceDayKey; labels: Record<GlanceDayKey, string>; panelId: string; label: string; onSelect(day: GlanceDayKey): void }) {
  const { selected, labels, panelId, label, onSelect } = props;
  const onKeyDown = (event: KeyboardEvent) => {
    // Two tabs: either arrow (wrapping around) goes to the other one.
    const next = ({ ArrowRight: OTHER[selected], ArrowLeft: OTHER[selected], Home: 'today', End: 'yesterday' } as const)[event.key];
    if (!next) return;
    event.preventDefault();
    onSelect(next);
    (event.currentTarget as HTMLElement).querySelector<HTMLElement>(`#day-${next}`)?.focus();
  };
  return (
    <div class="days" role="tablist" aria-label={label} onKeyDown={onKeyDown}>
      {DAYS.map((day) => (
        <button
          key={day}
          type="button"
          role="tab"
          id={`day-${day}`}
          data-testid={`day-${day}`}
          aria-selected={day === selected}
          aria-controls={panelId}
          tabIndex={day === selected ? 0 : -1}
          onClick={() => onSelect(day)}
        >
          {labels[day]}
        </button>
      ))}
    </div>
  );
}
