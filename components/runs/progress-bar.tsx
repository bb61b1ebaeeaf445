import type { LiveRun, ProgressSummary } from '@/lib/ui/run-progress';

const OUTCOME_FILL: Record<string, string> = { succeeded: 'bg-ok', partial: 'bg-warn', failed: 'bg-bad', cancelled: 'bg-muted', skipped: 'bg-muted' };

/**
 * One segment per strategy of the run: finished ones full (coloured by outcome), the current one
 * filled as far as it got (striped while its size is unknown), the rest empty.
 */
export function ProgressBar({ run, summary }: { run: LiveRun; summary: ProgressSummary }) {
  const completed = run.progress?.completed ?? [];
  const count = Math.max(summary.strategiesTotal, completed.length, 1);
  const percent = summary.fraction === null ? undefined : Math.round(summary.fraction * 100);
  return (
    <div
      role="progressbar"
      aria-label="Run progress"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent}
      aria-valuetext={percent === undefined ? 'starting' : `${percent}%, ${summary.position} of ${summary.strategiesTotal} strategies`}
      className="flex h-2.5 w-full gap-0.5 overflow-hidden rounded-full"
    >
      {Array.from({ length: count }, (_, i) => {
        const done = completed[i];
        const isCurrent = !done && i === completed.length && run.status === 'running';
        const width = done ? 100 : isCurrent ? (summary.currentFraction ?? 0) * 100 : 0;
        const fill = done ? (OUTCOME_FILL[done.outcome] ?? 'bg-accent') : 'bg-accent';
        return (
          <div key={i} className="relative h-full flex-1 bg-subtle">
            <div className={`h-full ${fill} transition-[width] duration-300`} style={{ width: `${width}%` }} />
            {isCurrent && summary.currentFraction === null ? <div className="absolute inset-0 animate-pulse bg-accent/30" /> : null}
          </div>
        );
      })}
    </div>
  );
}
