'use client';

import { type BlackoutWindow, DAY_NAMES, MAX_BLACKOUT_WINDOWS } from '@/lib/blackout';
import { Button } from '../ui/button';

const WEEKDAYS = [1, 2, 3, 4, 5];
/** Monday first, as people read a week; values stay cron's (0 = Sunday). */
const WEEK_ORDER = [1, 2, 3, 4, 5, 6, 0];

/**
 * The schedule's blackout windows: days of the week and a time range in the schedule's zone when
 * its slots are skipped and a manual run of its strategies asks for confirmation. An end at or
 * before the start runs past midnight.
 */
export function BlackoutEditor({ windows, timezone, onChange, error }: { windows: BlackoutWindow[]; timezone: string; onChange: (windows: BlackoutWindow[]) => void; error?: string }) {
  const update = (i: number, patch: Partial<BlackoutWindow>) => onChange(windows.map((w, j) => (j === i ? { ...w, ...patch } : w)));
  const toggleDay = (i: number, day: number) => {
    const days = windows[i]!.days;
    update(i, { days: days.includes(day) ? days.filter((d) => d !== day) : [...days, day].sort((a, b) => a - b) });
  };
  return (
    <fieldset className="space-y-2" aria-describedby={error ? 'blackout-error' : undefined}>
      <legend className="text-xs font-medium text-muted">Blackout windows ({timezone || 'the schedule’s zone'}): no slot fires inside one</legend>
      {windows.length === 0 ? <p className="text-xs text-muted">None: every slot fires.</p> : null}
      {windows.map((w, i) => (
        <div key={i} className="flex flex-wrap items-center gap-2 rounded-md border border-border px-2 py-1.5" role="group" aria-label={`Blackout window ${i + 1}`}>
          <div className="flex gap-0.5">
            {WEEK_ORDER.map((day) => (
              <label key={day} className={`cursor-pointer rounded border px-1.5 py-0.5 text-xs ${w.days.includes(day) ? 'border-accent bg-accent/15 text-text' : 'border-border text-muted'}`}>
                <input type="checkbox" className="sr-only" checked={w.days.includes(day)} onChange={() => toggleDay(i, day)} />
                {DAY_NAMES[day]}
              </label>
            ))}
          </div>
          <label className="flex items-center gap-1 text-xs">
            from
            <input
              type="text"
              inputMode="numeric"
              aria-label={`Window ${i + 1} start`}
              placeholder="HH:MM"
              value={w.start}
              onChange={(e) => update(i, { start: e.target.value.trim() })}
              className="h-7 w-16 rounded-md border border-border bg-bg px-1 font-mono text-sm text-text"
            />
          </label>
          <label className="flex items-center gap-1 text-xs">
            to
            <input
              type="text"
              inputMode="numeric"
              aria-label={`Window ${i + 1} end`}
              placeholder="HH:MM"
              value={w.end}
              onChange={(e) => update(i, { end: e.target.value.trim() })}
              className="h-7 w-16 rounded-md border border-border bg-bg px-1 font-mono text-sm text-text"
            />
          </label>
          <Button variant="ghost" size="sm" className="ml-auto" onClick={() => onChange(windows.filter((_, j) => j !== i))}>
            Remove
          </Button>
        </div>
      ))}
      {windows.length < MAX_BLACKOUT_WINDOWS ? (
        <Button size="sm" onClick={() => onChange([...windows, { days: WEEKDAYS, start: '11:00', end: '14:00' }])}>
          Add blackout window
        </Button>
      ) : null}
      {error ? (
        <p id="blackout-error" role="alert" className="text-xs text-bad">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
