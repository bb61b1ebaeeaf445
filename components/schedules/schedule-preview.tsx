'use client';

import type { SchedulePreview as Preview } from '@/lib/api/schedules';
import { formatLocalMinute, formatUtc } from '@/lib/ui/format';
import { formatWallTime } from '@/lib/ui/wall-time';

/** What an expression means: in words, and its next five fire times in the schedule's zone. */
export function SchedulePreview({ preview, browserZone, stale }: { preview: Preview; browserZone: string; stale: boolean }) {
  return (
    <div className={`rounded-md border border-border bg-bg p-3 text-sm ${stale ? 'opacity-60' : ''}`} data-testid="schedule-preview" aria-live="polite">
      <p className="font-medium">{preview.description}</p>
      <p className="mt-2 text-xs text-muted">Next 5 fire times in {preview.timezone}</p>
      <ol className="mt-1 space-y-0.5 text-xs">
        {preview.nextFireTimes.map((time) => (
          <li key={time.at} className="tabular-nums">
            <time dateTime={time.at} title={formatUtc(time.at)}>
              {formatWallTime(time.local)}
            </time>
            {preview.timezone !== browserZone ? <span className="text-muted"> · {formatLocalMinute(time.at)} here</span> : null}
            {time.note ? <span className="block text-warn">{time.note}</span> : null}
          </li>
        ))}
      </ol>
    </div>
  );
}
