'use client';

import Link from 'next/link';
import { describeScope } from '@/lib/ui/scope';
import { useSchedulesQuery } from '../api/schedules';
import { LocalTime } from '../ui/local-time';
import { Panel } from '../ui/panel';
import { EmptyState, QueryState } from '../ui/state-panel';
import { Stat } from './stat';

/** The next schedule to fire: when (here and in its own zone), what it warms, and the ones after. */
export function NextScheduleCard() {
  const schedules = useSchedulesQuery({ refetchInterval: 60_000 });
  return (
    <Panel title="Next scheduled run" id="next-schedule">
      <QueryState
        query={schedules}
        what="the schedules"
        isEmpty={(list) => !list.some((s) => s.nextFireAt)}
        empty={
          <EmptyState action={<Link href="/schedules" className="text-xs text-accent hover:underline">Schedules</Link>}>
            No active schedule: nothing will warm the cache on its own.
          </EmptyState>
        }
      >
        {(list) => {
          const upcoming = list.filter((s) => s.nextFireAt).sort((a, b) => a.nextFireAt!.localeCompare(b.nextFireAt!));
          const next = upcoming[0]!;
          return (
            <div className="p-4">
              <div className="flex items-baseline gap-2">
                <span className="text-2xl font-semibold tabular-nums">
                  <LocalTime iso={next.nextFireAt} relative />
                </span>
              </div>
              <dl className="mt-3 grid grid-cols-2 gap-3">
                <Stat label="Schedule">{next.name}</Stat>
                <Stat label="At">
                  <LocalTime iso={next.nextFireAt} />
                </Stat>
                <Stat label="Warms">{describeScope(next.scope)}</Stat>
                <Stat label="Cron">
                  <span title={next.description}>
                    {next.cron} ({next.timezone})
                  </span>
                </Stat>
              </dl>
              <p className="mt-3 text-xs text-muted">
                {upcoming.length - 1 > 0 ? `${upcoming.length - 1} more active · ` : ''}
                <Link href="/schedules" className="text-accent underline underline-offset-2">
                  all schedules
                </Link>
              </p>
            </div>
          );
        }}
      </QueryState>
    </Panel>
  );
}
