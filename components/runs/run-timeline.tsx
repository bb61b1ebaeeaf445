import type { RunDetail } from '@/lib/api/runs';
import { formatDuration, humanize } from '@/lib/ui/format';

const OUTCOME_BAR: Record<string, string> = { succeeded: 'bg-ok', partial: 'bg-warn', failed: 'bg-bad', cancelled: 'bg-muted', skipped: 'bg-muted' };

/**
 * When each strategy ran within the run, on one time axis from the run's creation to its end
 * (or now, while it runs): gaps show waiting, long bars show where the time went.
 */
export function RunTimeline({ run }: { run: RunDetail }) {
  const start = Date.parse(run.createdAt);
  const lastEnd = Math.max(start + 1, ...run.results.map((r) => Date.parse(r.finishedAt)));
  const end = run.finishedAt ? Math.max(Date.parse(run.finishedAt), lastEnd) : Math.max(Date.now(), lastEnd);
  const span = end - start;
  const pending = run.strategies.filter((s) => !run.results.some((r) => r.strategy === s));
  return (
    <div className="space-y-1.5 p-4" data-testid="run-timeline">
      {run.results.map((r) => {
        const left = ((Date.parse(r.startedAt) - start) / span) * 100;
        const width = Math.max(0.5, ((Date.parse(r.finishedAt) - Date.parse(r.startedAt)) / span) * 100);
        return (
          <div key={r.strategy} className="grid grid-cols-[6rem_1fr_4rem] sm:grid-cols-[10rem_1fr_6rem] items-center gap-3 text-xs">
            <span className="truncate font-medium">{humanize(r.strategy)}</span>
            <div className="relative h-4 rounded bg-subtle" title={`${humanize(r.strategy)}: ${r.outcome}, ${formatDuration(r.durationMs)}`}>
              <div className={`absolute inset-y-0 rounded ${OUTCOME_BAR[r.outcome] ?? 'bg-accent'}`} style={{ left: `${left}%`, width: `${width}%` }} />
            </div>
            <span className="text-right tabular-nums text-muted">{formatDuration(r.durationMs)}</span>
          </div>
        );
      })}
      {pending.map((strategy) => {
        // The strategy going now: from when it started (its elapsed time) to now.
        const current = run.status === 'running' && run.progress?.current?.strategy === strategy ? run.progress.current : null;
        const left = current ? Math.max(0, ((end - current.elapsedMs - start) / span) * 100) : 0;
        return (
          <div key={strategy} className="grid grid-cols-[6rem_1fr_4rem] sm:grid-cols-[10rem_1fr_6rem] items-center gap-3 text-xs">
            <span className="truncate font-medium">{humanize(strategy)}</span>
            <div className="relative h-4 rounded border border-dashed border-border">
              {current ? <div className="absolute inset-y-0 animate-pulse rounded bg-accent" style={{ left: `${left}%`, right: 0 }} /> : null}
            </div>
            <span className="text-right">
              {current ? formatDuration(current.elapsedMs) : run.status === 'running' ? <span className="text-muted">waiting</span> : <span className="text-muted">did not run</span>}
            </span>
          </div>
        );
      })}
      <div className="grid grid-cols-[6rem_1fr_4rem] sm:grid-cols-[10rem_1fr_6rem] gap-3 pt-1 text-xs text-muted">
        <span />
        <div className="flex justify-between tabular-nums">
          <span>0</span>
          <span>{formatDuration(span)}</span>
        </div>
        <span />
      </div>
    </div>
  );
}
