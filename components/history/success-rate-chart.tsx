'use client';

import { CartesianGrid, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import type { Stats } from '@/lib/api/runs';
import { formatAxisTime, formatRate, humanize } from '@/lib/ui/format';
import { successAxisFloor, toSeries, totalsByStrategy } from '@/lib/ui/stats-series';
import { AXIS_TICK, ChartFigure, ChartTooltip, loneDot, seriesColor } from './chart-parts';

/** Round percentages from the floor to 100%: 1% steps over a narrow band, up to 10% over a wide one. */
function successTicks(floor: number): number[] {
  const span = 1 - floor;
  const step = span <= 0.05 ? 0.01 : span <= 0.1 ? 0.02 : span <= 0.25 ? 0.05 : 0.1;
  const ticks: number[] = [];
  for (let v = 1; v >= floor - 1e-9; v -= step) ticks.unshift(Math.round(v * 100) / 100);
  return ticks;
}

export type ChartProps = { stats: Stats; strategies: string[]; colorIndex: (strategy: string) => number; bucketLabel: string };

/** The success rate (lib/success-rate.ts) per bucket and strategy, against the alert threshold. */
export function SuccessRateChart({ stats, strategies, colorIndex, bucketLabel, threshold }: ChartProps & { threshold: number }) {
  const rows = toSeries(stats, strategies, (b) => b.successRate);
  const floor = successAxisFloor(stats, threshold);
  const span = Date.parse(stats.to) - Date.parse(stats.from);
  const totals = totalsByStrategy(stats, strategies);
  return (
    <ChartFigure
      title="Success rate"
      testId="chart-success-rate"
      legend={totals.map((t) => ({ strategy: t.strategy, index: colorIndex(t.strategy), value: t.successRate === null ? '–' : formatRate(t.successRate) }))}
      note={`Keys warmed of keys processed, per ${bucketLabel}; dashed: the alert threshold (${formatRate(threshold)}).`}
    >
      <LineChart responsive style={{ width: '100%', height: 200 }} data={rows} margin={{ top: 4, right: 12, bottom: 0, left: 0 }}>
        <CartesianGrid stroke="var(--grid)" vertical={false} />
        <XAxis dataKey="t" type="number" scale="time" domain={[Date.parse(stats.from), Date.parse(stats.to)]} tickFormatter={(t: number) => formatAxisTime(new Date(t).toISOString(), span)} tick={AXIS_TICK} stroke="var(--border)" minTickGap={40} />
        <YAxis domain={[floor, 1]} ticks={successTicks(floor)} tickFormatter={(v: number) => `${Math.round(v * 100)}%`} tick={AXIS_TICK} stroke="var(--border)" width={44} allowDataOverflow />
        <ReferenceLine y={threshold} stroke="var(--bad)" strokeDasharray="4 4" />
        <Tooltip content={(props) => <ChartTooltip {...props} format={formatRate} bucketLabel={bucketLabel} />} />
        {strategies.map((s) => (
          <Line key={s} dataKey={s} name={humanize(s)} stroke={seriesColor(colorIndex(s))} strokeWidth={1.5} dot={loneDot(rows, s, seriesColor(colorIndex(s)))} activeDot={{ r: 3 }} isAnimationActive={false} connectNulls={false} />
        ))}
      </LineChart>
    </ChartFigure>
  );
}
