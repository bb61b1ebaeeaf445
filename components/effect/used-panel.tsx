'use client';

import { useMemo } from 'react';
import { CartesianGrid, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import type { KeyspaceHistory } from '@/lib/api/used';
import { formatAxisTime, formatCount, formatRate } from '@/lib/ui/format';
import { useEffectOverviewQuery, useKeyspaceQuery } from '../api/used';
import { AXIS_TICK, ChartFigure } from '../history/chart-parts';
import { Panel } from '../ui/panel';
import { EmptyState, QueryState } from '../ui/state-panel';
import { USED_EXPLAINER, UsedTable } from './used-table';

const DAY_MS = 86_400_000;

/**
 * Did the warming help a shop that reads Redis itself? Per strategy, its newest run's warmed keys
 * used, unread and gone; and Redis's own keyspace hit ratio over the last day with the runs marked.
 */
export function UsedPanel() {
  const used = useEffectOverviewQuery({ refetchInterval: 60_000 });
  const filter = useMemo(() => {
    const to = new Date(Math.ceil(Date.now() / 60_000) * 60_000);
    return { from: new Date(to.getTime() - DAY_MS).toISOString(), to: to.toISOString() };
  }, []);
  const keyspace = useKeyspaceQuery(filter, { refetchInterval: 60_000 });
  return (
    <Panel title="Used or wasted: read from Redis" id="used">
      <p className="border-b border-border px-4 py-2 text-xs text-muted">{USED_EXPLAINER}</p>
      <QueryState
        query={used}
        what="the used shares"
        isEmpty={(data) => data.strategies.length === 0}
        empty={<EmptyState>No run has been checked yet: each run’s warm set is checked as it ends, 10 min and 1 h after, and at half its TTL.</EmptyState>}
      >
        {(data) => <UsedTable rows={data.strategies.map((s) => ({ key: s.strategy, strategy: s.strategy, warmed: s.warmed, sample: s.sample }))} />}
      </QueryState>
      <div className="border-t border-border p-4">
        <QueryState
          query={keyspace}
          what="the keyspace hit ratio"
          isEmpty={(data) => data.points.length === 0}
          empty={<EmptyState>No keyspace samples yet: Redis’s hit and miss counters are sampled every KEYSPACE_SAMPLE_SECONDS (the in-process cache has none).</EmptyState>}
        >
          {(data) => <KeyspaceChart data={data} />}
        </QueryState>
      </div>
    </Panel>
  );
}

/** Redis's hit ratio per sample interval (all of its keys, any client), with each run's start marked. */
export function KeyspaceChart({ data }: { data: KeyspaceHistory }) {
  const from = Date.parse(data.from);
  const to = Date.parse(data.to);
  const rows = data.points.map((p) => ({ t: Date.parse(p.at), ratio: p.hitRatio, lookups: p.hits + p.misses, expired: p.expiredKeys, evicted: p.evictedKeys }));
  const runs = data.runs.map((r) => ({ id: r.id, t: Date.parse(r.startedAt) })).filter((r) => r.t >= from && r.t <= to);
  return (
    <ChartFigure
      framed={false}
      title="Keyspace hit ratio"
      testId="chart-keyspace"
      legend={[
        { strategy: 'hit ratio', index: 0, color: 'var(--accent)', value: formatRate(data.totals.hitRatio) },
        { strategy: 'lookups', index: 0, color: 'var(--muted)', value: formatCount(data.totals.hits + data.totals.misses) },
        { strategy: 'expired', index: 0, color: 'var(--muted)', value: formatCount(data.totals.expiredKeys) },
        { strategy: 'evicted', index: 0, color: data.totals.evictedKeys > 0 ? 'var(--warn)' : 'var(--muted)', value: formatCount(data.totals.evictedKeys) },
        { strategy: 'runs', index: 0, color: 'var(--muted)', value: String(runs.length) },
      ]}
      note={<>Redis’s keyspace_hits / (hits + misses) per {data.intervalSeconds} s, for every client of the cache; runs start at the dashed lines. Kiln’s own lookups (PTTL checks of only-missing runs and coverage samples, the used checks’ OBJECT calls) count too.</>}
    >
      <LineChart responsive style={{ width: '100%', height: 190 }} data={rows} margin={{ top: 4, right: 12, bottom: 0, left: 0 }}>
        <CartesianGrid stroke="var(--grid)" vertical={false} />
        <XAxis dataKey="t" type="number" scale="time" domain={[from, to]} tickFormatter={(v: number) => formatAxisTime(new Date(v).toISOString(), to - from)} tick={AXIS_TICK} stroke="var(--border)" />
        <YAxis domain={[0, 1]} ticks={[0, 0.25, 0.5, 0.75, 1]} tickFormatter={(v: number) => `${Math.round(v * 100)}%`} tick={AXIS_TICK} stroke="var(--border)" width={44} />
        {runs.map((r) => (
          <ReferenceLine key={r.id} x={r.t} stroke="var(--muted)" strokeDasharray="3 3" />
        ))}
        <Tooltip labelFormatter={(v) => new Date(Number(v)).toLocaleTimeString()} formatter={(v) => (typeof v === 'number' ? formatRate(v) : '–')} />
        <Line dataKey="ratio" name="hit ratio" stroke="var(--accent)" strokeWidth={2} dot={false} isAnimationActive={false} connectNulls={false} />
      </LineChart>
    </ChartFigure>
  );
}
