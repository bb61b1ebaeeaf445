'use client';

import Link from 'next/link';
import type { RunDetail } from '@/lib/api/runs';
import { useRunCoverageQuery } from '../api/effect';
import { CoverageTable } from '../effect/coverage-table';
import { Panel } from '../ui/panel';
import { EmptyState, LoadingState, QueryState } from '../ui/state-panel';

/** The sample after a run is taken a moment after it ends: asked again meanwhile. */
const SAMPLE_WAIT_MS = 10_000;

/** What the run left in the cache: the coverage samples taken right after it ended, one per strategy. */
export function RunCoverage({ run }: { run: RunDetail }) {
  const ended = run.status !== 'running' && run.finishedAt !== null;
  const waiting = (samples: number) => ended && samples === 0 && Date.now() - Date.parse(run.finishedAt!) < SAMPLE_WAIT_MS;
  const coverage = useRunCoverageQuery(run.id, { enabled: ended, refetchInterval: (q) => (waiting(q.state.data?.samples.length ?? 0) ? 1500 : false) });

  return (
    <Panel title="Coverage right after the run" id="run-coverage">
      <p className="border-b border-border px-4 py-2 text-xs text-muted">
        How much of each strategy’s warm set this run left in the cache, checked as it ended, and how long those keys had left. The cache now:{' '}
        <Link href="/#coverage" className="text-accent underline underline-offset-2">
          coverage on the overview
        </Link>
        .
      </p>
      {!ended ? (
        <EmptyState>Checked right after the run ends.</EmptyState>
      ) : (
        <QueryState
          query={coverage}
          what="the run’s coverage"
          isEmpty={(data) => data.samples.length === 0}
          empty={
            waiting(0) ? (
              <LoadingState label="Sampling the coverage" rows={2} />
            ) : (
              <EmptyState>
                No sample was taken after this run: it warmed no strategy, the process that ran it stopped first, or its samples were pruned (they are kept 90 days).
              </EmptyState>
            )
          }
        >
          {(data) => <CoverageTable rows={data.samples.map((sample) => ({ strategy: sample.strategy, enabled: true, sample }))} histogram="full" showOrigin={false} />}
        </QueryState>
      )}
    </Panel>
  );
}
