import type { RunProgress, RunSnapshot, RunStatus } from '@/lib/api/runs';

/** What a watcher knows of a run at one moment, from the event stream or from GET /api/runs/{id}. */
export type LiveRun = Omit<RunSnapshot, 'finishedAt'>;

export type ProgressSummary = {
  /** Keys finished so far, over every strategy. */
  done: number;
  /** Keys known to be coming: finished strategies' totals plus the current one's expected count. */
  known: number;
  /** Whether `known` is the run's whole: every strategy has reported its count. */
  totalKnown: boolean;
  warmed: number;
  skipped: number;
  failed: number;
  keysPerSecond: number;
  strategy: string | null;
  /** 1-based position of the strategy being warmed, and how many the run has. */
  position: number;
  strategiesTotal: number;
  /** The current strategy's share done (0-1), or null while its size is unknown. */
  currentFraction: number | null;
  inFlight: number;
  /** 0-1 over the whole run, each strategy an equal segment; null before any progress. */
  fraction: number | null;
};

/**
 * Sums a run's published progress. The current strategy also appears among the completed ones
 * once it ends (the final snapshot has both), so it is counted once. A finished run's own totals
 * win over the progress: they are what was recorded.
 */
export function summarizeProgress(run: LiveRun): ProgressSummary {
  const progress = run.progress;
  const completed = progress?.completed ?? [];
  const current = progress?.current && !completed.some((c) => c.strategy === progress.current!.strategy) ? progress.current : null;
  const sum = (field: 'total' | 'warmed' | 'skipped' | 'failed') => completed.reduce((n, c) => n + c[field], 0);
  const strategiesTotal = progress?.strategiesTotal ?? 0;
  const finished = run.status !== 'running';

  const done = finished ? run.total : sum('total') + (current?.done ?? 0);
  const known = finished ? run.total : sum('total') + (current ? (current.expected ?? current.done) : 0);
  const currentFraction = current && current.expected ? Math.min(1, current.done / current.expected) : current && current.expected === 0 ? 1 : null;
  const segments = completed.length + (current ? (currentFraction ?? 0) : 0);
  return {
    done,
    known,
    totalKnown: finished || (completed.length + (current && current.expected !== null ? 1 : 0) >= strategiesTotal && strategiesTotal > 0),
    warmed: finished ? run.warmed : sum('warmed') + (current?.warmed ?? 0),
    skipped: finished ? run.skipped : sum('skipped') + (current?.skipped ?? 0),
    failed: finished ? run.failed : sum('failed') + (current?.failed ?? 0),
    keysPerSecond: keysPerSecond(run, current),
    strategy: current?.strategy ?? null,
    position: Math.min(strategiesTotal, completed.length + (current ? 1 : 0)),
    strategiesTotal,
    currentFraction,
    inFlight: progress?.inFlight ?? 0,
    // A cancelled or abandoned run stopped part-way: its bar stays where it stopped.
    fraction: ranToTheEnd(run.status) ? 1 : strategiesTotal > 0 ? Math.min(1, segments / strategiesTotal) : null,
  };
}

/**
 * Keys per second: the running shards' live rate; when none is running at this instant (a shard
 * just ended, the next is being taken) the current strategy's average so far, rather than a 0
 * beside keys that are plainly being done; a finished run's average over its duration.
 */
function keysPerSecond(run: LiveRun, current: NonNullable<LiveRun['progress']>['current'] | null): number {
  if (run.status !== 'running') return run.durationMs && run.durationMs > 0 ? Math.round((run.total / run.durationMs) * 1000) : 0;
  if (!current) return 0;
  if (current.keysPerSecond > 0) return current.keysPerSecond;
  return current.done > 0 && current.elapsedMs > 0 ? Math.max(1, Math.round((current.done / current.elapsedMs) * 1000)) : 0;
}

function ranToTheEnd(status: RunStatus): boolean {
  return status === 'succeeded' || status === 'partial' || status === 'failed';
}

/**
 * What a running run is doing or waiting for, in words: queued work with no live worker, the
 * global pause, splitting a key space into shards, counting, warming n of m shards, saving.
 */
export function describePhase(progress: RunProgress | null | undefined): string | null {
  if (!progress?.phase) return null;
  const shards = progress.shards;
  const of = shards && shards.total > 1 ? ` (${shards.settled} of ${shards.total} shards done, ${shards.running} running)` : '';
  switch (progress.phase) {
    case 'queued':
      if (progress.waitingFor === 'pause') return 'Waiting: warming is paused (Settings)';
      if (progress.waitingFor === 'worker') return 'Waiting for a worker: none is running (start one with npm run worker)';
      if (progress.waitingFor === 'slot') return 'Queued: every worker is busy with other shards';
      return 'Queued: a worker is taking it';
    case 'planning':
      return 'Splitting the key space into shards';
    case 'counting':
      return `Counting keys${of}`;
    case 'saving':
      return 'Saving the results';
    default:
      return shards && shards.queued > 0 && progress.waitingFor === 'worker' ? `Warming${of}; the rest waits for a worker` : `Warming${of}`;
  }
}
