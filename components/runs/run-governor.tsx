'use client';

import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { RunDetail } from '@/lib/api/runs';
import { formatAxisTime, formatClockSeconds, formatLocalTime } from '@/lib/ui/format';
import { governorMoves, governorRows } from '@/lib/ui/governor-series';
import { useRunGovernorQuery } from '../api/runs';
import { AXIS_TICK, ChartFigure, ChartOverlay, ChartTooltip } from '../history/chart-parts';
import { PROFILE_LABELS } from './governor-profile-options';
import { Panel } from '../ui/panel';
import { EmptyState, QueryState } from '../ui/state-panel';

const COLORS = { concurrency: 'var(--series-1)', ceiling: 'var(--muted)', batch: 'var(--series-2)', keys: 'var(--series-3)' };

/**
 * The load governor of the run: concurrency (its shards summed, the ceiling dashed), batch latency
 * and keys/s over the run's time, and where it moved and why.
 */
export function RunGovernor({ run }: { run: RunDetail }) {
  const governor = useRunGovernorQuery(run.id, { running: run.status === 'running' });
  return (
    <Panel title="Load governor" id="run-governor">
      <QueryState query={governor} what="the governor’s samples" isEmpty={() => false}>
        {(g) => {
          const rows = governorRows(g.samples);
          const moves = governorMoves(g.samples);
          const from = rows[0]?.t ?? Date.parse(run.createdAt);
          const to = Math.max(rows.at(-1)?.t ?? from, from + 1000);
          const span = to - from;
          const axis = { dataKey: 't', type: 'number' as const, scale: 'time' as const, domain: [from, to], tickFormatter: (t: number) => (span < 10 * 60_000 ? formatClockSeconds(t) : formatAxisTime(new Date(t).toISOString(), span)), tick: AXIS_TICK, stroke: 'var(--border)', minTickGap: 40 };
          const last = rows.at(-1);
          // One sentence for both charts: "yet" only while the run can still record one.
          const noSample = run.status === 'running' ? 'The first sample comes within seconds.' : 'No sample was recorded for this run.';
          return (
            <>
              <p className="border-b border-border px-4 py-2 text-xs text-muted" data-testid="governor-profile">
                Profile <span className="font-medium text-text">{PROFILE_LABELS[g.profile]}</span>. Sampled at most every 2 s per shard, at most {g.limit.toLocaleString('en-US')} samples a run.
              </p>
              <div className="grid gap-3 p-3 lg:grid-cols-2">
                <ChartFigure
                  title="Loads in flight"
                  testId="governor-concurrency-chart"
                  legend={[
                    { strategy: 'concurrency', index: 0, value: last ? String(last.concurrency) : '–', color: COLORS.concurrency },
                    { strategy: 'ceiling', index: 0, value: last ? String(last.ceiling) : '–', color: COLORS.ceiling, dashed: true },
                  ]}
                >
                  <LineChart responsive style={{ width: '100%', height: 180 }} data={rows} margin={{ top: 4, right: 12, bottom: 0, left: 0 }}>
                    <CartesianGrid stroke="var(--grid)" vertical={false} />
                    <XAxis {...axis} />
                    <YAxis allowDecimals={false} tick={AXIS_TICK} stroke="var(--border)" width={36} />
                    <Tooltip content={(props) => <ChartTooltip {...props} format={(v) => String(v)} bucketLabel="sample" />} />
                    <Line dataKey="ceiling" name="ceiling" stroke={COLORS.ceiling} strokeDasharray="4 3" strokeWidth={1} dot={false} type="stepAfter" isAnimationActive={false} />
                    <Line dataKey="concurrency" name="concurrency" stroke={COLORS.concurrency} strokeWidth={1.5} dot={false} type="stepAfter" isAnimationActive={false} />
                  </LineChart>
                  {rows.length === 0 ? <ChartOverlay>{noSample}</ChartOverlay> : null}
                </ChartFigure>
                <ChartFigure
                  title="Batch latency and keys/s"
                  testId="governor-latency-chart"
                  legend={[
                    { strategy: 'batch ms', index: 1, value: last?.batchMs != null ? `${last.batchMs} ms` : '–', color: COLORS.batch },
                    { strategy: 'keys/s', index: 2, value: last ? last.keysPerSecond.toLocaleString('en-US') : '–', color: COLORS.keys },
                  ]}
                >
                  <LineChart responsive style={{ width: '100%', height: 180 }} data={rows} margin={{ top: 4, right: 4, bottom: 0, left: 0 }}>
                    <CartesianGrid stroke="var(--grid)" vertical={false} />
                    <XAxis {...axis} />
                    <YAxis yAxisId="ms" tick={AXIS_TICK} stroke="var(--border)" width={44} tickFormatter={(v: number) => `${v}`} />
                    <YAxis yAxisId="keys" orientation="right" tick={AXIS_TICK} stroke="var(--border)" width={52} />
                    <Tooltip content={(props) => <ChartTooltip {...props} format={(v) => v.toLocaleString('en-US')} bucketLabel="sample" />} />
                    <Line yAxisId="ms" dataKey="batchMs" name="batch ms" stroke={COLORS.batch} strokeWidth={1.5} dot={false} isAnimationActive={false} connectNulls />
                    <Line yAxisId="keys" dataKey="keysPerSecond" name="keys/s" stroke={COLORS.keys} strokeWidth={1.5} dot={false} isAnimationActive={false} />
                  </LineChart>
                  {rows.length === 0 ? <ChartOverlay>{noSample}</ChartOverlay> : null}
                </ChartFigure>
              </div>
              {/* Below both charts, so the two cards keep the same shape side by side. */}
              <p className="px-4 pb-3 text-xs text-muted">Batch latency: the median batch query of the window (the slowest shard’s); keys/s: loaded, all shards.</p>
              {g.samples.length === 0 ? null : moves.length === 0 ? (
                <EmptyState>The governor never changed the concurrency.</EmptyState>
              ) : (
                <div className="overflow-x-auto">
                <table className="w-full min-w-[40rem] text-left text-xs" data-testid="governor-moves">
                  <caption className="sr-only">Where the governor moved, newest first</caption>
                  <thead className="border-y border-border text-muted">
                    <tr>
                      <th className="px-4 py-1.5 font-medium">When</th>
                      <th className="px-2 py-1.5 font-medium">Shard</th>
                      <th className="px-2 py-1.5 font-medium">Loads in flight</th>
                      <th className="px-4 py-1.5 font-medium">Why</th>
                    </tr>
                  </thead>
                  <tbody>
                    {moves.map((m) => (
                      <tr key={`${m.at}-${m.shard}`} className="border-b border-border last:border-0">
                        <td className="whitespace-nowrap px-4 py-1.5 tabular-nums">{formatLocalTime(m.at)}</td>
                        <td className="whitespace-nowrap px-2 py-1.5">{m.shard}</td>
                        <td className="whitespace-nowrap px-2 py-1.5 tabular-nums">{m.from === null ? m.to : `${m.from} → ${m.to}`}</td>
                        <td className="px-4 py-1.5">{m.reason}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                </div>
              )}
            </>
          );
        }}
      </QueryState>
    </Panel>
  );
}
