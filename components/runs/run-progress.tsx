'use client';

import Link from 'next/link';
import type { ReactNode } from 'react';
import { successRate } from '@/lib/success-rate';
import { formatCount, formatDuration, formatRate, humanize } from '@/lib/ui/format';
import { withStrategyLabels } from '@/lib/ui/labels';
import { describePhase, summarizeProgress } from '@/lib/ui/run-progress';
import { errorMessage } from '../api/api-fetch';
import { type LiveRunState, useRunEvents } from '../api/run-events';
import { useCancelRunMutation } from '../api/runs';
import { Can } from '../shell/role';
import { Button } from '../ui/button';
import { StatusBadge } from '../ui/status-badge';
import { ProgressBar } from './progress-bar';

/**
 * A run as it goes, live from its event stream: where it is (strategy k of n), keys done of
 * those known, warmed / skipped / failed, keys per second, and Cancel. Once it ends, its outcome.
 */
export function RunProgress(props: { runId: string; title?: ReactNode; onDismiss?: () => void }) {
  return <RunProgressView {...props} live={useRunEvents(props.runId)} showLink />;
}

/** The same, for a page that follows the run's events itself (and shares them with other panels). */
export function RunProgressView({ runId, live, title, onDismiss, showLink }: { runId: string; live: LiveRunState; title?: ReactNode; onDismiss?: () => void; showLink: boolean }) {
  const { run, source } = live;
  const cancel = useCancelRunMutation();
  const short = runId.slice(0, 8);

  return (
    <div data-testid="run-progress" data-run-id={runId} data-status={run?.status ?? 'connecting'} className="space-y-2 px-4 py-3">
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm">
        {/* On the run's own page its status is in the title already. */}
        {!run ? <span className="text-muted">Connecting…</span> : showLink ? <StatusBadge status={run.status} /> : null}
        {showLink ? (
          <Link href={`/runs/${runId}`} className="font-mono text-xs text-accent hover:underline">
            run {short}
          </Link>
        ) : null}
        {title ? <span className="min-w-0 truncate text-muted">{title}</span> : null}
        <div className="ml-auto flex items-center gap-2">
          {run?.status === 'running' ? (
            <Can role="operator">
              {run.cancelRequestedAt ? (
                <span className="text-xs text-muted">Cancel requested…</span>
              ) : (
                <Button size="sm" variant="danger" busy={cancel.isPending} onClick={() => cancel.mutate(runId)} data-mutates>
                  Cancel run
                </Button>
              )}
            </Can>
          ) : null}
          {onDismiss && run && run.status !== 'running' ? (
            <Button size="sm" variant="ghost" onClick={onDismiss} aria-label={`Dismiss run ${short}`}>
              Dismiss
            </Button>
          ) : null}
        </div>
      </div>
      {run ? <Figures run={run} /> : <div className="h-2.5 animate-pulse rounded-full bg-subtle" />}
      {cancel.isError ? (
        <p role="alert" className="text-xs text-bad">
          Cancel failed: {errorMessage(cancel.error)}
        </p>
      ) : null}
      {source === 'polling' && run?.status === 'running' ? <p className="text-xs text-muted">The live stream dropped: refreshing every second.</p> : null}
    </div>
  );
}

function Figures({ run }: { run: NonNullable<LiveRunState['run']> }) {
  const s = summarizeProgress(run);
  const running = run.status === 'running';
  return (
    <>
      <ProgressBar run={run} summary={s} />
      <dl className="flex flex-wrap items-baseline gap-x-5 gap-y-1 text-xs text-muted">
        <Figure label={running ? 'Done' : 'Keys'} testId="progress-done">
          {formatCount(s.done)}
          {running ? (s.totalKnown ? ` / ${formatCount(s.known)}` : s.known > s.done ? ` / ${formatCount(s.known)}+` : ' so far') : ''}
        </Figure>
        <Figure label="Warmed" testId="progress-warmed">
          {formatCount(s.warmed)}
        </Figure>
        <Figure label="Skipped">{formatCount(s.skipped)}</Figure>
        <Figure label="Failed" tone={s.failed > 0 ? 'text-bad' : undefined}>
          {formatCount(s.failed)}
        </Figure>
        {running ? (
          <>
            <Figure label="Keys/s">{formatCount(s.keysPerSecond)}</Figure>
            <Figure label="Strategy">
              {s.strategy ? `${s.position} of ${s.strategiesTotal}: ${humanize(s.strategy)}` : s.strategiesTotal ? `${s.position} of ${s.strategiesTotal}` : 'starting'}
            </Figure>
            <Figure label="Concurrency">
              {formatCount(run.concurrency)} ({formatCount(s.inFlight)} in flight)
            </Figure>
          </>
        ) : (
          <>
            <Figure label="Success rate">{formatRate(successRate(s))}</Figure>
            <Figure label="Took">{formatDuration(run.durationMs)}</Figure>
          </>
        )}
      </dl>
      {running && describePhase(run.progress) ? (
        <p className={`text-xs ${run.progress?.waitingFor === 'worker' ? 'text-warn' : 'text-muted'}`} data-testid="progress-phase">
          {describePhase(run.progress)}
        </p>
      ) : null}
      {run.error ? <p className="text-xs text-bad">{withStrategyLabels(run.error)}</p> : null}
    </>
  );
}

function Figure({ label, children, tone, testId }: { label: string; children: ReactNode; tone?: string; testId?: string }) {
  return (
    <div className="flex items-baseline gap-1.5">
      <dt>{label}</dt>
      <dd className={`font-medium tabular-nums ${tone ?? 'text-text'}`} data-testid={testId}>
        {children}
      </dd>
    </div>
  );
}
