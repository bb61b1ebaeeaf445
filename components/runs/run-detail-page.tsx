'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { ApiError, errorMessage } from '../api/api-fetch';
import { useRunEvents } from '../api/run-events';
import { useRunQuery } from '../api/runs';
import { useSettingsQuery } from '../api/strategies';
import { Can } from '../shell/role';
import { Button } from '../ui/button';
import { PageHeader, Panel } from '../ui/panel';
import { EmptyState, QueryState } from '../ui/state-panel';
import { StatusBadge } from '../ui/status-badge';
import { useDebounced } from '../ui/use-debounced';
import { EstimateTable } from '../effect/estimate-table';
import { WarmButton } from '../overview/warm-button';
import { WarmDialog } from '../overview/warm-dialog';
import { FailedKeysTable, failuresCaption } from './failed-keys';
import { RunCoverage } from './run-coverage';
import { RunGovernor } from './run-governor';
import { RunEffect } from './run-effect';
import { RunProgressView } from './run-progress';
import { RunSummary } from './run-summary';
import { RunTimeline } from './run-timeline';
import { ShardsTable } from './shards-table';
import { StrategyResultsTable } from './strategy-results-table';

/** One run: who started it, how each strategy went and when, its failed keys, and what to do next. */
export function RunDetailPage({ id }: { id: string }) {
  const [search, setSearch] = useState('');
  const searched = useDebounced(search.trim(), 300);
  const run = useRunQuery(id, { search: searched, refetchInterval: (q) => (q.state.data?.status === 'running' ? 2000 : false) });
  const settings = useSettingsQuery();
  const [retrying, setRetrying] = useState(false);
  const router = useRouter();
  const data = run.data;
  // One event stream for the page: the progress bar and the summary's totals read the same figures.
  const live = useRunEvents(data?.status === 'running' ? id : null);

  const missing = run.error instanceof ApiError && run.error.status === 404;

  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-xs text-muted">
        <ol className="flex flex-wrap items-center gap-1.5">
          <li>
            <Link href="/history" className="hover:text-text hover:underline">
              History
            </Link>
          </li>
          <li aria-hidden>›</li>
          <li aria-current="page" className="font-mono text-text">
            Run {id.slice(0, 8)}
          </li>
        </ol>
      </nav>
      <PageHeader
        title={<>Run {id.slice(0, 8)} {data ? <StatusBadge status={data.status} /> : null}</>}
        description={<span className="font-mono text-xs break-all">{id}</span>}
        actions={
          data ? (
            <>
              {data.status !== 'running' && data.failureCount > 0 ? (
                <Can role="operator">
                  <Button variant="primary" data-mutates aria-haspopup="dialog" onClick={() => setRetrying(true)}>
                    Retry {data.failureCount === 1 ? 'the failed key' : `${data.failureCount.toLocaleString('en-US')} failed keys`}
                  </Button>
                  {retrying ? (
                    <WarmDialog
                      target={{ kind: 'retry', runId: id, keys: data.failureCount, strategies: [...new Set(data.results.filter((r) => r.failed > 0).map((r) => r.strategy))] }}
                      onStarted={(started) => router.push(`/runs/${started.runId}`)}
                      onClose={() => setRetrying(false)}
                    />
                  ) : null}
                </Can>
              ) : null}
              {data.status !== 'running' ? (
                <Can role="operator">
                  {/* The same strategies (or tags, or all) again, confirmed with an estimate like any manual run. */}
                  <WarmButton scope={data.scope} onStarted={(started) => router.push(`/runs/${started.runId}`)}>
                    Run again with the same scope
                  </WarmButton>
                </Can>
              ) : null}
            </>
          ) : null
        }
      />
      {missing ? (
        // A run that does not exist will not appear by trying again: no retry, the ways on instead.
        <Panel>
          <div role="alert" className="space-y-2 p-4 text-sm">
            <p className="text-bad">{errorMessage(run.error)}.</p>
            <p className="text-muted">
              It may have been pruned by retention, or the address is mistyped. Find runs in the{' '}
              <Link href="/history" className="text-accent hover:underline">
                History
              </Link>
              .
            </p>
          </div>
        </Panel>
      ) : (
        <QueryState query={run} what="the run" loadingRows={6}>
          {(detail) => (
            <div className="space-y-4">
              {detail.status === 'running' ? (
                <Panel title="Progress" id="progress">
                  <RunProgressView runId={id} live={live} showLink={false} />
                </Panel>
              ) : null}
              {detail.warnings?.length ? (
                <Panel title="Warnings" id="warnings">
                  <ul className="divide-y divide-border text-sm">
                    {detail.warnings.map((w, i) => (
                      <li key={i} className="flex flex-wrap items-baseline gap-x-3 px-4 py-2">
                        <span className="font-mono text-xs text-muted">{new Date(w.at).toLocaleTimeString('en-GB')}</span>
                        <span className="text-warn">{w.message}</span>
                      </li>
                    ))}
                  </ul>
                </Panel>
              ) : null}
              <Panel title="Summary" id="summary">
                <RunSummary run={detail} live={live.run} threshold={settings.data?.alertSuccessRate} />
              </Panel>
              {detail.dryRun ? (
                <Panel title="Estimate: what a real run would take" id="estimate">
                  <p className="border-b border-border px-4 py-2 text-xs text-muted">
                    A dry run lists the keys a run of this scope would warm and writes nothing to the cache.
                    {detail.estimate?.onlyMissing ? ' With only missing keys, the keys still cached are skipped: the real work is at most this.' : ''}
                  </p>
                  {detail.estimate ? <EstimateTable estimate={detail.estimate} /> : <EmptyState>No estimate was stored with this dry run.</EmptyState>}
                </Panel>
              ) : null}
              <Panel title="Timeline" id="timeline">
                {detail.results.length === 0 && detail.status !== 'running' ? (
                  <EmptyState>No strategy ran: {detail.error ?? 'the run ended before its first strategy started'}.</EmptyState>
                ) : (
                  <RunTimeline run={detail} />
                )}
              </Panel>
              <Panel title="Strategies" id="strategy-results">
                {detail.results.length === 0 ? (
                  <EmptyState>{detail.status === 'running' ? 'The first strategy has not finished yet.' : 'No strategy results were recorded.'}</EmptyState>
                ) : (
                  <StrategyResultsTable results={detail.results} threshold={settings.data?.alertSuccessRate} dryRun={detail.dryRun} />
                )}
              </Panel>
              {detail.shards.length > 0 ? (
                <Panel title="Shards" id="shards">
                  <ShardsTable shards={detail.shards} />
                </Panel>
              ) : null}
              <Panel
                title="Failed keys"
                id="failed-keys"
                actions={
                  detail.failureCount > 0 ? (
                    <input
                      type="search"
                      value={search}
                      onChange={(e) => setSearch(e.target.value)}
                      placeholder="Search keys and errors"
                      aria-label="Search failed keys and errors"
                      className="h-7 w-64 rounded-md border border-border bg-bg px-2 text-xs"
                    />
                  ) : null
                }
              >
                {detail.failureCount === 0 ? (
                  <EmptyState>
                    {detail.failed > 0
                      ? `${detail.failed.toLocaleString('en-US')} keys failed, but none of their keys was recorded (the run was written by something other than the warmer, or its failures were pruned).`
                      : detail.status === 'running'
                        ? 'No key has failed so far.'
                        : 'No key failed in this run.'}
                  </EmptyState>
                ) : (
                  <>
                    <p className="px-4 pt-2 text-xs text-muted" aria-live="polite">
                      {failuresCaption(detail.failures.length, detail.failureCount, detail.failed, searched)}
                    </p>
                    {detail.failures.length === 0 ? <EmptyState>No failed key or error matches “{searched}”.</EmptyState> : <FailedKeysTable failures={detail.failures} />}
                  </>
                )}
              </Panel>
              {detail.dryRun ? null : <RunGovernor run={detail} />}
              {detail.dryRun ? null : <RunCoverage run={detail} />}
              {detail.dryRun ? null : <RunEffect run={detail} />}
            </div>
          )}
        </QueryState>
      )}
    </>
  );
}
