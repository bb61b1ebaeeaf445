'use client';

import { useState } from 'react';
import type { ChangeStreamView, FreshnessOverview } from '@/lib/api/freshness';
import { describeStream } from '@/lib/ui/freshness';
import { formatBytes, formatCount, formatDuration, humanize } from '@/lib/ui/format';
import { FRESHNESS_RANGES, type FreshnessRange, useFreshnessQuery } from '../api/freshness';
import { Stat } from '../overview/stat';
import { LocalTime } from '../ui/local-time';
import { PageHeader, Panel } from '../ui/panel';
import { EmptyState, QueryState } from '../ui/state-panel';
import { Badge } from '../ui/status-badge';
import { DelayChart } from './delay-chart';

/**
 * Is the cache keeping up with the database? The change stream's state, lag and rate, and per
 * strategy what re-warming on change did and how long a change took to reach the cache.
 */
export function FreshnessPage() {
  const [range, setRange] = useState<FreshnessRange>('1h');
  const overview = useFreshnessQuery(range, { refetchInterval: 5000 });
  return (
    <>
      <PageHeader
        title="Freshness"
        description="Keys re-warmed when the shop’s rows change: from the commit to the cache, per strategy."
        actions={
          <div role="group" aria-label="Time range" className="flex rounded-md border border-border text-sm">
            {(Object.keys(FRESHNESS_RANGES) as FreshnessRange[]).map((r) => (
              <button
                key={r}
                type="button"
                aria-pressed={range === r}
                onClick={() => setRange(r)}
                className={`px-3 py-1 first:rounded-l-md last:rounded-r-md ${range === r ? 'bg-subtle font-medium' : 'text-muted hover:text-text'}`}
              >
                Last {r === '1h' ? 'hour' : '24 h'}
              </button>
            ))}
          </div>
        }
      />
      <QueryState query={overview} what="the freshness figures" loadingRows={6}>
        {(data) => (
          <div className="space-y-4">
            <StreamPanel stream={data.stream} />
            <StrategiesPanel data={data} />
            <DelayChart overview={data} />
          </div>
        )}
      </QueryState>
    </>
  );
}

function StreamPanel({ stream }: { stream: ChangeStreamView }) {
  const health = describeStream(stream);
  return (
    <Panel
      title="Change stream"
      id="stream"
      actions={
        <span data-testid="stream-state">
          <Badge tone={health.tone}>{health.label}</Badge>
        </span>
      }
    >
      <div className="space-y-3 p-4">
        <p className="text-sm" data-testid="stream-detail">
          {health.detail}
        </p>
        <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4">
          <Stat label="Mode" testId="stream-mode">
            {stream.mode === 'logical' ? 'logical replication' : stream.mode === 'triggers' ? 'triggers' : 'off'}
          </Stat>
          <Stat label={stream.mode === 'logical' ? 'WAL retained (lag)' : 'Changes waiting'} tone={stream.warning ? 'warn' : undefined} testId="stream-lag">
            {stream.mode === 'logical' ? (stream.lagBytes === null ? '–' : formatBytes(stream.lagBytes)) : stream.pendingChanges === null ? '–' : formatCount(stream.pendingChanges)}
            {stream.mode === 'logical' ? <span className="block text-xs font-normal text-muted">dropped beyond {formatBytes(stream.maxRetainedBytes)}</span> : null}
          </Stat>
          <Stat label="Changes a second" testId="stream-rate">
            {stream.changesPerSecond === null ? '–' : formatCount(stream.changesPerSecond)}
          </Stat>
          <Stat label="Reported">{stream.updatedAt ? <LocalTime iso={stream.updatedAt} relative /> : '–'}</Stat>
        </dl>
        {stream.droppedAt ? (
          <p role="alert" className="rounded-md border border-bad/40 bg-bad/10 px-3 py-2 text-xs text-bad" data-testid="slot-dropped">
            Slot dropped <LocalTime iso={stream.droppedAt} relative />: {stream.dropReason}
          </p>
        ) : null}
      </div>
    </Panel>
  );
}

function StrategiesPanel({ data }: { data: FreshnessOverview }) {
  const head = 'px-3 py-2 text-xs font-medium text-muted';
  const num = 'px-3 py-2 text-right tabular-nums';
  return (
    <Panel title="Re-warms per strategy" id="rewarms">
      {data.strategies.length === 0 ? (
        <EmptyState>No strategy is registered.</EmptyState>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full min-w-[44rem] text-sm" data-testid="freshness-table">
            <thead className="border-b border-border">
              <tr>
                <th scope="col" className={`${head} text-left`}>Strategy</th>
                <th scope="col" className={`${head} text-right`}>Changes</th>
                <th scope="col" className={`${head} text-right`}>Re-warmed</th>
                <th scope="col" className={`${head} text-right`}>Deleted</th>
                <th scope="col" className={`${head} text-right`}>Skipped</th>
                <th scope="col" className={`${head} text-right`}>Failed</th>
                <th scope="col" className={`${head} text-right`}>p50</th>
                <th scope="col" className={`${head} text-right`}>p95</th>
                <th scope="col" className={`${head} text-right`}>max</th>
              </tr>
            </thead>
            <tbody>
              {data.strategies.map((s) => (
                <tr key={s.strategy} className="border-b border-border last:border-0" data-testid={`freshness-${s.strategy}`}>
                  <td className="px-3 py-2">
                    <span className="font-medium">{humanize(s.strategy)}</span>{' '}
                    {!s.enabled ? <Badge tone="muted">disabled</Badge> : !s.rewarmOnChange ? <Badge tone="muted">re-warm off</Badge> : null}
                    {s.lastError ? (
                      <span className="block max-w-80 truncate text-xs text-bad" title={`${s.lastError.key}: ${s.lastError.error}`}>
                        {s.lastError.key}: {s.lastError.error}
                      </span>
                    ) : null}
                  </td>
                  <td className={num}>{formatCount(s.totals.changes)}</td>
                  <td className={num}>{formatCount(s.totals.rewarmed)}</td>
                  <td className={num}>{formatCount(s.totals.deleted)}</td>
                  <td className={num}>{formatCount(s.totals.skipped)}</td>
                  <td className={`${num} ${s.totals.failed ? 'text-bad' : ''}`}>{formatCount(s.totals.failed)}</td>
                  <td className={num}>{formatDuration(s.totals.p50Ms)}</td>
                  <td className={num}>{formatDuration(s.totals.p95Ms)}</td>
                  <td className={num}>{formatDuration(s.totals.maxMs)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p className="border-t border-border px-4 py-2 text-xs text-muted">
        Delay: from the change’s commit to the cache write. Skipped: not cached (a change never pulls a cold key into the cache), or written since by a newer change.
        Turn re-warming on or off per strategy in Settings.
      </p>
    </Panel>
  );
}
