import type { RunStrategyResult } from '@/lib/api/runs';
import { formatCount, formatDuration, formatRate, formatSeconds, humanize } from '@/lib/ui/format';
import { isBelowThreshold } from '@/lib/success-rate';
import { StatusBadge } from '../ui/status-badge';
import { TableScroll } from '../ui/table-scroll';

const HEAD = 'px-3 py-2 text-left text-xs font-medium text-muted';
const NUM = 'px-3 py-2 text-right tabular-nums';

/** Each strategy's outcome in the run, with the priority and TTL it ran with (a dry run warms nothing: no success rate). */
export function StrategyResultsTable({ results, threshold, dryRun = false }: { results: RunStrategyResult[]; threshold?: number; dryRun?: boolean }) {
  return (
    <TableScroll>
      <table className="w-full text-sm">
        <thead className="border-b border-border">
          <tr>
            <th scope="col" className={HEAD}>Strategy</th>
            <th scope="col" className={HEAD}>Outcome</th>
            <th scope="col" className={`${HEAD} text-right`}>Priority</th>
            <th scope="col" className={`${HEAD} text-right`}>TTL</th>
            <th scope="col" className={`${HEAD} text-right`}>Keys</th>
            <th scope="col" className={`${HEAD} text-right`}>Warmed</th>
            <th scope="col" className={`${HEAD} text-right`}>Skipped</th>
            <th scope="col" className={`${HEAD} text-right`}>Failed</th>
            <th scope="col" className={`${HEAD} text-right`}>Success</th>
            <th scope="col" className={`${HEAD} text-right`}>Took</th>
          </tr>
        </thead>
        <tbody>
          {results.map((r) => (
            <tr key={r.strategy} className="border-b border-border last:border-0">
              <td className="px-3 py-2">
                <div className="font-medium">{humanize(r.strategy)}</div>
                {r.error ? <div className="text-xs text-bad">{r.error}</div> : null}
              </td>
              <td className="px-3 py-2">
                <StatusBadge status={r.outcome} />
              </td>
              <td className={NUM}>{r.priority}</td>
              <td className={NUM}>{formatSeconds(r.ttlSeconds)}</td>
              <td className={NUM}>{formatCount(r.total)}</td>
              <td className={NUM}>{formatCount(r.warmed)}</td>
              <td className={NUM}>{formatCount(r.skipped)}</td>
              <td className={`${NUM} ${r.failed > 0 ? 'text-bad' : ''}`}>{formatCount(r.failed)}</td>
              <td className={`${NUM} font-medium ${!dryRun && isBelowThreshold(r.successRate, threshold) ? 'text-bad' : ''}`}>{dryRun ? '–' : formatRate(r.successRate)}</td>
              <td className={NUM}>{formatDuration(r.durationMs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}
