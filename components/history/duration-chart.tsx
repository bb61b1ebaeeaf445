'use client';

import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { formatAxisTime, formatDuration, humanize } from '@/lib/ui/format';
import { logAxis, toSeries, totalsByStrategy } from '@/lib/ui/stats-series';
import { AXIS_TICK, ChartFigure, ChartTooltip, loneDot, seriesColor } from './chart-parts';
import type { ChartProps } from './success-rate-chart';

function durationTick(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(1))} s`;
  return `${Number((ms / 60_000).toFixed(1))} min`;
}

/**
 * p95 (solid) and p50 (dashed) run duration per strategy, on a log scale: strategies differ by
 * orders of magnitude (four keys against a whole catalog), and a slowdown of each still shows.
 */
export function DurationChart({ stats, strategies, colorIndex, bucketLabel }: ChartProps) {
  const clamp = (ms: number) => Math.max(1, ms);
  const p95 = toSeries(stats, strategies, (b) => clamp(b.p95DurationMs));
  const p50 = toSeries(stats, strategies, (b) => clamp(b.p50DurationMs));
  const rows = p95.map((row, i) => {
    const merged: Record<string, number | null> = { t: row.t };
    for (const s of strategies) {
      merged[`${s}:p95`] = row[s] ?? null;
      merged[`${s}:p50`] = p50[i]?.[s] ?? null;
    }
    return merged;
  });
  const span = Date.parse(stats.to) - Date.parse(stats.from);
  const shown = stats.buckets.filter((b) => strategies.includes(b.strategy));
  const axis = logAxis(Math.min(...shown.map((b) => b.p50DurationMs)), Math.max(...shown.map((b) => b.p95DurationMs)));
  const totals = totalsByStrategy(stats, strategies);
  return (
    <ChartFigure
      title="Duration p50 / p95"
      testId="chart-duration"
      legend={totals.map((t) => ({ strategy: t.strategy, index: colorIndex(t.strategy), value: t.worstP95 === null ? '–' : `≤ ${formatDuration(t.worstP95)}` }))}
      note={`Per ${bucketLabel}: solid p95, dashed p50; log scale. Beside each name: its worst p95 in the range.`}
    >
      <LineChart responsive style={{ width: '100%', height: 200 }} data={rows} margin={{ top: 4, right: 12, bottom: 0, left: 0 }}>
        <CartesianGrid stroke="var(--grid)" vertical={false} />
        <XAxis dataKey="t" type="number" scale="time" domain={[Date.parse(stats.from), Date.parse(stats.to)]} tickFormatter={(t: number) => formatAxisTime(new Date(t).toISOString(), span)} tick={AXIS_TICK} stroke="var(--border)" minTickGap={40} />
        <YAxis scale="log" domain={axis.domain} ticks={axis.ticks} tickFormatter={durationTick} tick={AXIS_TICK} stroke="var(--border)" width={56} allowDataOverflow />
        <Tooltip content={(props) => <ChartTooltip {...props} format={formatDuration} bucketLabel={bucketLabel} />} />
        {strategies.flatMap((s) => [
          <Line key={`${s}:p95`} dataKey={`${s}:p95`} name={`${humanize(s)} p95`} stroke={seriesColor(colorIndex(s))} strokeWidth={1.5} dot={loneDot(rows, `${s}:p95`, seriesColor(colorIndex(s)))} activeDot={{ r: 3 }} isAnimationActive={false} />,
          <Line key={`${s}:p50`} dataKey={`${s}:p50`} name={`${humanize(s)} p50`} stroke={seriesColor(colorIndex(s))} strokeWidth={1} strokeDasharray="3 3" dot={loneDot(rows, `${s}:p50`, seriesColor(colorIndex(s)))} activeDot={{ r: 3 }} isAnimationActive={false} />,
        ])}
      </LineChart>
    </ChartFigure>
  );
}
