'use client';

import { useState } from 'react';
import { describeEvictions, evictionWarnings } from '@/lib/ui/coverage';
import { formatLocalTime } from '@/lib/ui/format';
import { errorMessage } from '../api/api-fetch';
import { useCoverageQuery, useSampleCoverageMutation } from '../api/effect';
import { Can } from '../shell/role';
import { Button } from '../ui/button';
import { Panel } from '../ui/panel';
import { EmptyState, QueryState } from '../ui/state-panel';
import { CoverageTable } from './coverage-table';

/**
 * How much of each strategy's warm set is in the cache now (the newest sample of each), with a
 * warning when the cache evicted keys since the previous sample, and Sample now for operators.
 */
export function CoveragePanel() {
  const coverage = useCoverageQuery({ refetchInterval: 30_000 });
  const sample = useSampleCoverageMutation();
  const [outcome, setOutcome] = useState<string | null>(null);
  const warnings = evictionWarnings(coverage.data?.strategies ?? []);

  return (
    <Panel
      title="Coverage: the warm sets in the cache"
      id="coverage"
      actions={
        <Can role="operator">
          {sample.isError ? (
            <span role="alert" className="max-w-96 text-right text-xs text-bad">
              Sampling failed: {errorMessage(sample.error)}
            </span>
          ) : outcome ? (
            <span role="status" className="text-xs text-ok" data-testid="sample-outcome">
              {outcome}
            </span>
          ) : null}
          <Button
            size="sm"
            data-mutates
            busy={sample.isPending}
            onClick={() => {
              setOutcome(null);
              sample.mutate(undefined, {
                onSuccess: (samples) => setOutcome(`Sampled ${samples.length} ${samples.length === 1 ? 'strategy' : 'strategies'} at ${formatLocalTime(new Date().toISOString())}`),
              });
            }}
          >
            Sample now
          </Button>
        </Can>
      }
    >
      <QueryState
        query={coverage}
        what="the coverage"
        loadingRows={5}
        isEmpty={(data) => data.strategies.length === 0}
        empty={<EmptyState>No warmup strategy is registered, so there is no warm set to check.</EmptyState>}
      >
        {(data) => (
          <>
            {warnings.length ? (
              <p role="alert" data-testid="eviction-warning" className="border-b border-border bg-warn/10 px-4 py-2 text-sm text-warn">
                {describeEvictions(warnings)}
              </p>
            ) : null}
            <CoverageTable rows={data.strategies.map((s) => ({ strategy: s.strategy, enabled: s.enabled, sample: s.latest }))} />
            <p className="border-t border-border px-4 py-2 text-xs text-muted">
              Checked right after every run and every {data.sampleIntervalMinutes} min: up to 300 keys of each warm set, with their remaining TTL as a share of the
              strategy’s TTL (left: about to expire).
            </p>
          </>
        )}
      </QueryState>
    </Panel>
  );
}
