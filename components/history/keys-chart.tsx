'use client';

import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';
import { formatAxisTime, formatCount, humanize } from '@/lib/ui/format';
import { toSeries, totalsByStrategy } from '@/lib/ui/stats-series';
import { AXIS_TICK, ChartFigure, ChartOverlay, ChartTooltip, seriesColor } from './chart-parts';
import type { ChartProps } from './success-rate-chart';

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

/** Keys warmed, or keys failed, per bucket, stacked by strategy. */
export function KeysChart({ stats, strategies, colorIndex, bucketLabel, outcome }: ChartProps & { outcome: 'warmed' | 'failed' }) {
  const rows = toSeries(stats, strategies, (b) => b[outcome], 0);
  const span = Date.parse(stats.to) - Date.parse(stats.from);
  const totals = totalsByStrategy(stats, strategies);
  const none = totals.every((t) => t[outcome] === 0);
  return (
    <ChartFigure
      title={outcome === 'warmed' ? 'Keys warmed' : 'Keys failed'}
      testId={`chart-keys-${outcome}`}
      legend={totals.map((t) => ({ strategy: t.strategy, index: colorIndex(t.strategy), value: formatCount(t[outcome]) }))}
      note={`Per ${bucketLabel}, stacked by strategy; beside each name: its total in the range.`}
    >
      <BarChart responsive style={{ width: '100%', height: 200 }} data={rows} margin={{ top: 4, right: 12, bottom: 0, left: 0 }} barCategoryGap={1}>
        <CartesianGrid stroke="var(--grid)" vertical={false} />
        <XAxis dataKey="t" type="number" scale="time" domain={[Date.parse(stats.from) - 1, Date.parse(stats.to)]} tickFormatter={(t: number) => formatAxisTime(new Date(t).toISOString(), span)} tick={AXIS_TICK} stroke="var(--border)" minTickGap={40} padding={{ left: 6, right: 6 }} />
        <YAxis tickFormatter={(v: number) => compact.format(v)} tick={AXIS_TICK} stroke="var(--border)" width={44} allowDecimals={false} domain={none ? [0, 1] : [0, 'auto']} />
        <Tooltip cursor={{ fill: 'var(--subtle)' }} content={(props) => <ChartTooltip {...props} format={formatCount} bucketLabel={bucketLabel} />} />
        {strategies.map((s) => (
          <Bar key={s} dataKey={s} name={humanize(s)} stackId="keys" fill={seriesColor(colorIndex(s))} isAnimationActive={false} />
        ))}
      </BarChart>
      {none ? <ChartOverlay>{outcome === 'failed' ? 'No key failed in this range.' : 'No key was warmed in this range.'}</ChartOverlay> : null}
    </ChartFigure>
  );
}
