'use client';

import Link from 'next/link';
import type { RunListItem } from '@/lib/api/runs';
import { formatCount, formatDuration, formatRate, humanize } from '@/lib/ui/format';
import { isBelowThreshold } from '@/lib/success-rate';
import { LocalTime } from '../ui/local-time';
import { StatusBadge } from '../ui/status-badge';
import { TableScroll } from '../ui/table-scroll';

const HEAD = 'px-3 py-2 text-left text-xs font-medium text-muted';
const NUM = 'px-3 py-1.5 text-right tabular-nums';

function who(run: RunListItem): string {
  if ((run.trigger === 'schedule' || run.trigger === 'catch_up') && run.scheduleName) return run.scheduleName;
  return run.triggeredBy;
}

/** One page of runs, newest first; a run's start time opens it. */
export function RunsTable({ runs, threshold }: { runs: RunListItem[]; threshold?: number }) {
  return (
    <TableScroll>
      <table className="w-full text-sm" data-testid="runs-table">
        <thead className="border-b border-border">
          <tr>
            <th scope="col" className={HEAD}>Started</th>
            <th scope="col" className={HEAD}>Status</th>
            <th scope="col" className={HEAD}>Trigger</th>
            <th scope="col" className={HEAD}>Strategies</th>
            <th scope="col" className={`${HEAD} text-right`}>Warmed / keys</th>
            <th scope="col" className={`${HEAD} text-right`}>Failed</th>
            <th scope="col" className={`${HEAD} text-right`}>Success</th>
            <th scope="col" className={`${HEAD} text-right`}>Took</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => {
            const low = isBelowThreshold(run.successRate, threshold);
            return (
              <tr key={run.id} className="border-b border-border last:border-0 hover:bg-subtle/60" data-run-id={run.id}>
                <td className="px-3 py-1.5 whitespace-nowrap">
                  <Link href={`/runs/${run.id}`} className="text-accent hover:underline">
                    <LocalTime iso={run.createdAt} zone />
                  </Link>
                </td>
                <td className="px-3 py-1.5">
                  <StatusBadge status={run.status} />
                </td>
                <td className="max-w-56 truncate px-3 py-1.5 text-xs" title={`${run.trigger}: ${who(run)}`}>
                  <span className="text-muted">{humanize(run.trigger)}</span> · {who(run)}
                </td>
                <td className="max-w-64 truncate px-3 py-1.5 text-xs" title={run.strategies.join(', ')}>
                  {run.strategies.map(humanize).join(', ')}
                </td>
                <td className={NUM}>
                  {formatCount(run.warmed)} / {formatCount(run.total)}
                </td>
                <td className={`${NUM} ${run.failed > 0 ? 'text-bad' : ''}`}>{formatCount(run.failed)}</td>
                <td className={`${NUM} ${low ? 'font-medium text-bad' : ''}`}>{formatRate(run.successRate)}</td>
                <td className={NUM}>{run.status === 'running' ? '…' : formatDuration(run.durationMs)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableScroll>
  );
}
