'use client';

import Link from 'next/link';
import { useSettingsQuery } from '../api/strategies';
import { LocalTime } from '../ui/local-time';

/** On every page while the global pause is on: no worker takes new work, queued runs wait. */
export function PauseBanner() {
  const settings = useSettingsQuery();
  const s = settings.data;
  if (!s?.paused) return null;
  return (
    <div role="status" data-testid="pause-banner" className="mb-4 rounded-lg border border-warn/50 bg-warn/10 px-4 py-3 text-sm">
      <span className="font-semibold">Warming is paused</span>
      {s.pausedBy ? <> by {s.pausedBy}</> : null}
      {s.pausedAt ? (
        <>
          {' '}
          (<LocalTime iso={s.pausedAt} relative />)
        </>
      ) : null}
      : no worker takes new work, and queued runs and schedules wait.{' '}
      <Link href="/settings#warming" className="text-accent underline underline-offset-2">
        Resume in Settings
      </Link>
    </div>
  );
}
