import Link from 'next/link';
import type { ReactNode } from 'react';
import type { RunDetail } from '@/lib/api/runs';
import { formatCount, formatDuration, formatRate, humanize } from '@/lib/ui/format';
import { withStrategyLabels } from '@/lib/ui/labels';
import { isBelowThreshold } from '@/lib/success-rate';
import { type LiveRun, summarizeProgress } from '@/lib/ui/run-progress';
import { describeScope } from '@/lib/ui/scope';
import { LocalTime } from '../ui/local-time';

/** Who or what started the run, in words, with a link to the run it retried. */
export function TriggerText({ run }: { run: Pick<RunDetail, 'trigger' | 'triggeredBy' | 'scheduleId' | 'scheduleName' | 'retryOf'> }) {
  switch (run.trigger) {
    case 'schedule':
    case 'catch_up': {
      const name = run.scheduleName ?? '(deleted)';
      // A slot's run is triggered by the schedule (its name); "Run now" by the operator who pressed it.
      const byHand = run.trigger === 'schedule' && run.triggeredBy !== run.scheduleName && run.scheduleName !== null;
      return (
        <>
          {run.trigger === 'catch_up' ? 'catch-up of ' : ''}schedule{' '}
          {run.scheduleId !== null && run.scheduleName !== null ? (
            <Link href={`/schedules#schedule-${run.scheduleId}`} className="font-medium text-accent hover:underline" data-testid="run-schedule-link">
              {name}
            </Link>
          ) : (
            <span className="font-medium">{name}</span>
          )}
          {byHand ? (
            <>
              , Run now by <span className="font-medium">{run.triggeredBy}</span>
            </>
          ) : null}
        </>
      );
    }
    case 'startup':
      return <>the server’s start ({run.triggeredBy})</>;
    case 'retry':
      return (
        <>
          retry by <span className="font-medium">{run.triggeredBy}</span>
          {run.retryOf ? (
            <>
              {' '}
              of{' '}
              <Link href={`/runs/${run.retryOf}`} className="font-mono text-accent hover:underline">
                run {run.retryOf.slice(0, 8)}
              </Link>
            </>
          ) : null}
        </>
      );
    default:
      return (
        <>
          {run.trigger} by <span className="font-medium">{run.triggeredBy}</span>
        </>
      );
  }
}

/** The run's facts: trigger, scope, times, settings, and its totals. */
export function RunSummary({ run, live: liveRun, threshold }: { run: RunDetail; live?: LiveRun | null; threshold?: number }) {
  // A dry run warms nothing by design: its 0% is not a failure.
  const low = !run.dryRun && isBelowThreshold(run.successRate, threshold);
  // A running run's totals are written when it ends; until then they come from its progress.
  const live = run.status === 'running' ? summarizeProgress(liveRun?.status === 'running' ? liveRun : run) : null;
  const totals = live ? { total: live.done, warmed: live.warmed, skipped: live.skipped, failed: live.failed } : run;
  const options = [run.onlyMissing ? 'only missing keys' : null, run.dryRun ? 'dry run' : null, run.keyFilter ? 'failed keys of an earlier run' : null].filter(Boolean);
  return (
    <div className="grid grid-cols-1 gap-6 p-4 xl:grid-cols-[1fr_auto]">
      <dl className="grid grid-cols-2 gap-x-6 gap-y-3 text-sm [overflow-wrap:anywhere] md:grid-cols-4">
        <Fact label="Triggered by" wide>
          <TriggerText run={run} />
        </Fact>
        <Fact label="Scope" wide>
          {describeScope(run.scope)}
          {'strategies' in run.scope ? '' : ` → ${run.strategies.map(humanize).join(', ') || 'no enabled strategy'}`}
        </Fact>
        <Fact label="Started">
          <LocalTime iso={run.createdAt} zone />
        </Fact>
        <Fact label="Finished">{run.finishedAt ? <LocalTime iso={run.finishedAt} zone /> : 'still running'}</Fact>
        <Fact label="Took">{run.status === 'running' ? '–' : formatDuration(run.durationMs)}</Fact>
        <Fact label="Concurrency">{formatCount(run.concurrency)}</Fact>
        <Fact label="Options">{options.length ? options.join(', ') : 'none'}</Fact>
        <Fact label="Process">
          <span className="font-mono text-xs">{run.owner}</span>
        </Fact>
        {run.cancelRequestedAt ? (
          <Fact label="Cancelled" wide>
            by {run.cancelRequestedBy ?? 'someone'}, <LocalTime iso={run.cancelRequestedAt} zone />
          </Fact>
        ) : null}
      </dl>
      <dl className="grid grid-cols-3 gap-x-6 gap-y-1 self-start sm:grid-cols-5 xl:border-l xl:border-border xl:pl-6 xl:text-right">
        <Total label={live ? 'Keys so far' : 'Keys'} value={formatCount(totals.total)} />
        <Total label="Warmed" value={formatCount(totals.warmed)} />
        <Total label="Skipped" value={formatCount(totals.skipped)} />
        <Total label="Failed" value={formatCount(totals.failed)} tone={totals.failed > 0 ? 'text-bad' : undefined} />
        <Total label="Success" value={live ? '…' : run.dryRun ? '–' : formatRate(run.successRate)} tone={low ? 'text-bad' : undefined} />
      </dl>
      {run.error ? (
        <p role="alert" className="rounded border xl:col-span-2 border-bad/40 bg-bad/10 px-3 py-2 text-sm text-bad">
          {withStrategyLabels(run.error, run.strategies)}
        </p>
      ) : null}
    </div>
  );
}

function Fact({ label, children, wide = false }: { label: string; children: ReactNode; wide?: boolean }) {
  return (
    <div className={wide ? 'col-span-2' : ''}>
      <dt className="text-xs text-muted">{label}</dt>
      <dd className="mt-0.5">{children}</dd>
    </div>
  );
}

function Total({ label, value, tone }: { label: string; value: string; tone?: string }) {
  return (
    <div>
      <dt className="text-xs text-muted">{label}</dt>
      <dd className={`text-xl font-semibold tabular-nums ${tone ?? ''}`}>{value}</dd>
    </div>
  );
}
