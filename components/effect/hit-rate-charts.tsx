'use client';

import { Bar, BarChart, CartesianGrid, Line, LineChart, ReferenceArea, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import type { HitRate } from '@/lib/api/effect';
import { formatAxisTime, formatCount, formatRate } from '@/lib/ui/format';
import { FAMILY_ORDER, type RunSpan, hitRateRows, orderedTotals, queryRows, runSpans, thinRunMarks, timeTicks } from '@/lib/ui/hit-rate-series';
import { AXIS_TICK, ChartFigure, ChartTooltip, type LegendItem, loneDot, seriesColor } from '../history/chart-parts';

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
const HEIGHT = 190;
const MARKER = 'var(--muted)';

/** A family's colour, the same in the chart, its legend and the totals table; `all` in the text colour. */
export function familyColor(family: string): string {
  return family === 'all' ? 'var(--text)' : seriesColor(FAMILY_ORDER.indexOf(family as (typeof FAMILY_ORDER)[number]));
}

type Props = { data: HitRate; bucketLabel: string; tickMs: number };

/** Per family, hits / reads per bucket (a gap where there were no reads), with the runs as dashed lines. */
export function HitRateChart({ data, bucketLabel, tickMs }: Props) {
  const rows = hitRateRows(data);
  const families = FAMILY_ORDER.filter((f) => data.series.some((s) => s.family === f));
  const spans = runSpans(data.runs, data.from, data.to);
  const legend: LegendItem[] = orderedTotals(data).map((t) => ({ strategy: t.family, index: 0, color: familyColor(t.family), value: t.hitRate === null ? '–' : formatRate(t.hitRate) }));
  return (
    <ChartFigure
      framed={false}
      title="Hit rate"
      testId="chart-hit-rate"
      legend={[...legend, runsLegend(spans)]}
      note={<>Hits of shop reads per {bucketLabel}, per key family; beside each name: its rate over the range. {runsNote(spans, data.runsTruncated)}</>}
    >
      <LineChart responsive style={{ width: '100%', height: HEIGHT }} data={rows} margin={{ top: 4, right: 12, bottom: 0, left: 0 }}>
        <CartesianGrid stroke="var(--grid)" vertical={false} />
        <TimeAxis data={data} tickMs={tickMs} />
        <YAxis domain={[0, 1]} ticks={[0, 0.25, 0.5, 0.75, 1]} tickFormatter={(v: number) => `${Math.round(v * 100)}%`} tick={AXIS_TICK} stroke="var(--border)" width={44} />
        {runMarks(spans, data)}
        <Tooltip content={(props) => <ChartTooltip {...props} format={formatRate} bucketLabel={bucketLabel} emptyText="no reads" />} />
        {families.map((f) => (
          <Line
            key={f}
            dataKey={f}
            name={f}
            stroke={familyColor(f)}
            strokeWidth={f === 'all' ? 2.25 : 1.5}
            strokeDasharray={f === 'all' ? '5 2' : undefined}
            dot={loneDot(rows, f, familyColor(f))}
            activeDot={{ r: 3 }}
            isAnimationActive={false}
            connectNulls={false}
          />
        ))}
      </LineChart>
    </ChartFigure>
  );
}

/** Per bucket, the queries the misses cost the database, and on top the ones the hits saved it. */
export function QueriesChart({ data, bucketLabel, tickMs }: Props) {
  const rows = queryRows(data);
  const spans = runSpans(data.runs, data.from, data.to);
  const all = data.totals.find((t) => t.family === 'all');
  const none = rows.every((r) => r.dbQueries === 0 && r.dbQueriesAvoided === 0);
  return (
    <ChartFigure
      framed={false}
      title="Database queries"
      testId="chart-db-queries"
      legend={[
        { strategy: 'queries avoided', index: 0, color: 'var(--ok)', value: formatCount(all?.dbQueriesAvoided ?? 0) },
        { strategy: 'queries misses cost', index: 0, color: 'var(--warn)', value: formatCount(all?.dbQueries ?? 0) },
        runsLegend(spans),
      ]}
      note={<>Per {bucketLabel}, all families: the queries misses made, and the ones hits avoided (hits × the queries a miss costs). {runsNote(spans, data.runsTruncated)}</>}
    >
      <BarChart responsive style={{ width: '100%', height: HEIGHT }} data={rows} margin={{ top: 4, right: 12, bottom: 0, left: 0 }} barCategoryGap={1}>
        <CartesianGrid stroke="var(--grid)" vertical={false} />
        <TimeAxis data={data} tickMs={tickMs} padded />
        <YAxis tickFormatter={(v: number) => compact.format(v)} tick={AXIS_TICK} stroke="var(--border)" width={44} allowDecimals={false} domain={none ? [0, 1] : [0, 'auto']} />
        {runMarks(spans, data)}
        <Tooltip cursor={{ fill: 'var(--subtle)' }} content={(props) => <ChartTooltip {...props} format={formatCount} bucketLabel={bucketLabel} emptyText="no reads" />} />
        <Bar dataKey="dbQueries" name="queries misses cost" stackId="q" fill="var(--warn)" isAnimationActive={false} />
        <Bar dataKey="dbQueriesAvoided" name="queries avoided" stackId="q" fill="var(--ok)" isAnimationActive={false} />
      </BarChart>
    </ChartFigure>
  );
}

function TimeAxis({ data, tickMs, padded = false }: { data: HitRate; tickMs: number; padded?: boolean }) {
  const from = Date.parse(data.from);
  const to = Date.parse(data.to);
  return (
    <XAxis
      dataKey="t"
      type="number"
      scale="time"
      domain={[padded ? from - 1 : from, to]}
      ticks={timeTicks(data.from, data.to, tickMs)}
      tickFormatter={(t: number) => formatAxisTime(new Date(t).toISOString(), to - from)}
      tick={AXIS_TICK}
      stroke="var(--border)"
      minTickGap={40}
      padding={padded ? { left: 6, right: 6 } : undefined}
    />
  );
}

/**
 * A dashed line where each run started; a shaded span too when it lasted long enough to see. Runs
 * closer together than a pixel or two share one mark (thinRunMarks), so a busy range stays lines.
 */
function runMarks(spans: RunSpan[], data: HitRate) {
  const visible = (Date.parse(data.to) - Date.parse(data.from)) / 300;
  return thinRunMarks(spans, data.from, data.to).flatMap((s) => [
    s.end - s.start > visible ? <ReferenceArea key={`${s.id}-span`} x1={s.start} x2={s.end} fill={MARKER} fillOpacity={0.12} ifOverflow="hidden" /> : null,
    <ReferenceLine key={s.id} x={s.start} stroke={MARKER} strokeDasharray="3 3" strokeWidth={s.count > 1 ? 1.5 : 1} ifOverflow="hidden" />,
  ]);
}

function runsLegend(spans: RunSpan[]): LegendItem {
  return { strategy: 'runs', index: 0, color: MARKER, dashed: true, value: formatCount(spans.length) };
}

function runsNote(spans: RunSpan[], truncated: boolean): string {
  if (spans.length === 0) return 'No run in this range.';
  return `Dashed: where each of the ${truncated ? 'first ' : ''}${formatCount(spans.length)} ${spans.length === 1 ? 'run' : 'runs'} started (runs starting close together share one line).`;
}
