'use client';

import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { FreshnessOverview } from '@/lib/api/freshness';
import { delayRows } from '@/lib/ui/freshness';
import { formatAxisTime, formatDuration, humanize } from '@/lib/ui/format';
import { logAxis } from '@/lib/ui/stats-series';
import { AXIS_TICK, ChartFigure, ChartOverlay, ChartTooltip, loneDot, seriesColor } from '../history/chart-parts';

function delayTick(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Number((ms / 1000).toFixed(1))} s`;
}

/** p95 (solid) and p50 (dashed) delay from commit to cache write, per strategy that re-warmed something, on a log scale. */
export function DelayChart({ overview }: { overview: FreshnessOverview }) {
  const all = overview.strategies.map((s) => s.strategy);
  const active = overview.strategies.filter((s) => s.totals.p95Ms !== null).map((s) => s.strategy);
  const rows = delayRows(overview, active);
  const values = rows.flatMap((r) => active.flatMap((s) => [r[`${s}:p50`], r[`${s}:p95`]])).filter((v): v is number => typeof v === 'number' && v > 0);
  const axis = logAxis(values.length ? Math.min(...values) : 10, values.length ? Math.max(...values) : 1000);
  const span = Date.parse(overview.to) - Date.parse(overview.from);
  const color = (s: string) => seriesColor(all.indexOf(s));
  const bucketLabel = overview.bucket === 'minute' ? 'minute' : 'hour';
  return (
    <ChartFigure
      title="Delay from commit to cache, p50 / p95"
      testId="delay-chart"
      legend={overview.strategies
        .filter((s) => active.includes(s.strategy))
        .map((s) => ({ strategy: s.strategy, index: all.indexOf(s.strategy), value: `p95 ${formatDuration(s.totals.p95Ms)}` }))}
      note={`Per ${bucketLabel}: solid p95, dashed p50; log scale. Beside each name: its p95 over the range.`}
    >
      <LineChart responsive style={{ width: '100%', height: 200 }} data={rows} margin={{ top: 4, right: 12, bottom: 0, left: 0 }}>
        <CartesianGrid stroke="var(--grid)" vertical={false} />
        <XAxis dataKey="t" type="number" scale="time" domain={[Date.parse(overview.from), Date.parse(overview.to)]} tickFormatter={(t: number) => formatAxisTime(new Date(t).toISOString(), span)} tick={AXIS_TICK} stroke="var(--border)" minTickGap={40} />
        <YAxis scale="log" domain={axis.domain} ticks={axis.ticks} tickFormatter={delayTick} tick={AXIS_TICK} stroke="var(--border)" width={56} allowDataOverflow />
        <Tooltip content={(props) => <ChartTooltip {...props} format={formatDuration} bucketLabel={bucketLabel} emptyText="nothing re-warmed" />} />
        {active.flatMap((s) => [
          <Line key={`${s}:p95`} dataKey={`${s}:p95`} name={`${humanize(s)} p95`} stroke={color(s)} strokeWidth={1.5} dot={loneDot(rows, `${s}:p95`, color(s))} activeDot={{ r: 3 }} isAnimationActive={false} connectNulls={false} />,
          <Line key={`${s}:p50`} dataKey={`${s}:p50`} name={`${humanize(s)} p50`} stroke={color(s)} strokeWidth={1} strokeDasharray="3 3" dot={loneDot(rows, `${s}:p50`, color(s))} activeDot={{ r: 3 }} isAnimationActive={false} connectNulls={false} />,
        ])}
      </LineChart>
      {active.length === 0 ? <ChartOverlay>No key was re-warmed in this range.</ChartOverlay> : null}
    </ChartFigure>
  );
}
