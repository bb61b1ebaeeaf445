'use client';

import Link from 'next/link';
import type { RunListItem } from '@/lib/api/runs';
import { formatCount, formatDuration, formatLocalTime, formatRate } from '@/lib/ui/format';
import { isBelowThreshold } from '@/lib/success-rate';
import { type StartedRun, useRunsQuery } from '../api/runs';
import { Can } from '../shell/role';
import { LocalTime } from '../ui/local-time';
import { Panel } from '../ui/panel';
import { EmptyState, QueryState } from '../ui/state-panel';
import { StatusBadge } from '../ui/status-badge';
import { Stat } from './stat';
import { WarmButton } from './warm-button';

const RECENT = 20;

const lastEnded = (runs: RunListItem[] | undefined) => runs?.find((r) => r.status !== 'running') ?? runs?.[0];

const TICK: Record<string, string> = { succeeded: 'bg-ok', partial: 'bg-warn', failed: 'bg-bad', abandoned: 'bg-bad', cancelled: 'bg-muted', running: 'bg-accent' };

/** The newest run: how it ended, how much it warmed, how long it took, who asked for it. */
export function LastRunCard({ threshold, onStarted }: { threshold: number | undefined; onStarted: (run: StartedRun) => void }) {
  const runs = useRunsQuery({ limit: RECENT }, { refetchInterval: 10_000 });
  return (
    <Panel title="Last run" id="last-run" actions={lastEnded(runs.data?.items) ? <StatusBadge status={lastEnded(runs.data?.items)!.status} /> : null}>
      <QueryState
        query={runs}
        what="the last run"
        isEmpty={(page) => page.items.length === 0}
        empty={
          <EmptyState action={<Can role="operator"><WarmButton variant="primary" size="sm" scope={{ all: true }} onStarted={onStarted}>Warm all</WarmButton></Can>}>
            No runs yet: warm all strategies to fill the cache.
          </EmptyState>
        }
      >
        {(page) => {
          // The newest run that has ended: a running one is followed under Live runs.
          const run = page.items.find((r) => r.status !== 'running') ?? page.items[0]!;
          const low = isBelowThreshold(run.successRate, threshold);
          return (
            <div className="p-4">
              <div className="flex items-baseline gap-2">
                <span className={`text-2xl font-semibold tabular-nums ${low ? 'text-bad' : ''}`}>{run.status === 'running' ? '…' : formatRate(run.successRate)}</span>
                <span className="text-xs text-muted">success rate</span>
              </div>
              <dl className="mt-3 grid grid-cols-3 gap-3">
                <Stat label="Warmed">
                  {formatCount(run.warmed)} / {formatCount(run.total)}
                </Stat>
                <Stat label="Failed" tone={run.failed > 0 ? 'bad' : undefined}>
                  {formatCount(run.failed)}
                </Stat>
                <Stat label="Took">{run.status === 'running' ? 'running' : formatDuration(run.durationMs)}</Stat>
              </dl>
              <RecentRuns runs={page.items} />
              <p className="mt-3 truncate text-xs text-muted">
                <LocalTime iso={run.finishedAt ?? run.createdAt} relative /> · {run.trigger === 'schedule' && run.scheduleName ? `schedule ${run.scheduleName}` : `${run.trigger} by ${run.triggeredBy}`} ·{' '}
                <Link href={`/runs/${run.id}`} className="text-accent underline underline-offset-2">
                  details
                </Link>
              </p>
            </div>
          );
        }}
      </QueryState>
    </Panel>
  );
}

/** The runs before it, oldest left, one tick each coloured by how it ended: a pattern at a glance. */
function RecentRuns({ runs }: { runs: RunListItem[] }) {
  if (runs.length < 2) return null;
  return (
    <div className="mt-3">
      <p className="mb-1 text-xs text-muted">Last {runs.length} runs</p>
      <ol className="flex gap-0.5">
        {[...runs].reverse().map((run) => (
          <li key={run.id} className="flex-1">
            <Link
              href={`/runs/${run.id}`}
              className={`block h-4 rounded-sm ${TICK[run.status] ?? 'bg-muted'} hover:opacity-70`}
              aria-label={`Run ${run.id.slice(0, 8)}: ${run.status}${run.successRate !== null ? `, ${formatRate(run.successRate)} warmed` : ''}, ${formatLocalTime(run.createdAt)}`}
              title={`${run.status}${run.successRate !== null ? ` · ${formatRate(run.successRate)}` : ''} · ${formatLocalTime(run.createdAt)}`}
            />
          </li>
        ))}
      </ol>
    </div>
  );
}
