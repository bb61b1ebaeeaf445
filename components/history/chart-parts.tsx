'use client';

import type { ReactNode } from 'react';
import { formatLocalTime, humanize, zoneLabel } from '@/lib/ui/format';

/** A strategy's colour: by its place in the priority order, the same in every chart and legend. */
export function seriesColor(index: number): string {
  return `var(--series-${(index % 6) + 1})`;
}

export const AXIS_TICK = { fill: 'var(--muted)', fontSize: 11 };

export type LegendItem = { strategy: string; index: number; value: string; color?: string; dashed?: boolean };

/**
 * A chart with its title, its legend (each series with its figure over the range) and a note.
 * Framed on its own, or `framed={false}` inside a panel that already is.
 */
export function ChartFigure({
  title,
  legend,
  note,
  children,
  testId,
  framed = true,
}: {
  title: string;
  legend: LegendItem[];
  note?: ReactNode;
  children: ReactNode;
  testId: string;
  framed?: boolean;
}) {
  return (
    <figure className={`min-w-0 ${framed ? 'rounded-lg border border-border bg-panel' : ''}`} data-testid={testId}>
      <figcaption className={`flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1 px-4 py-2 ${framed ? 'border-b border-border' : ''}`}>
        <span className="text-sm font-semibold">{title}</span>
        <ul className="flex flex-wrap gap-x-3 gap-y-0.5 text-xs">
          {legend.map((item) => (
            <li key={item.strategy} className="flex items-center gap-1.5">
              {item.dashed ? (
                <span aria-hidden className="inline-block h-2.5 w-0 border-l border-dashed" style={{ borderColor: item.color ?? seriesColor(item.index) }} />
              ) : (
                <span aria-hidden className="inline-block h-2 w-3 rounded-sm" style={{ background: item.color ?? seriesColor(item.index) }} />
              )}
              <span className="text-muted">{humanize(item.strategy)}</span>
              <span className="font-medium tabular-nums">{item.value}</span>
            </li>
          ))}
        </ul>
      </figcaption>
      <div className="relative px-2 pb-2 pt-3">{children}</div>
      {note ? <p className="px-4 pb-2 text-xs text-muted">{note}</p> : null}
    </figure>
  );
}

type TooltipEntry = { dataKey?: unknown; name?: unknown; value?: unknown; color?: string };

/** The tooltip of every time chart: the bucket's local time, then each series' value. */
export function ChartTooltip({
  active,
  payload,
  label,
  format,
  bucketLabel,
  emptyText = 'no runs',
}: {
  active?: boolean;
  payload?: readonly TooltipEntry[];
  label?: unknown;
  format: (value: number) => string;
  bucketLabel: string;
  emptyText?: string;
}) {
  if (!active || !payload?.length || typeof label !== 'number') return null;
  const shown = payload.filter((p) => typeof p.value === 'number');
  return (
    <div className="rounded-md border border-border bg-panel px-3 py-2 text-xs shadow-md">
      <p className="mb-1 font-medium">
        {formatLocalTime(new Date(label).toISOString())} {zoneLabel(new Date(label).toISOString())} <span className="text-muted">· {bucketLabel}</span>
      </p>
      {shown.length === 0 ? <p className="text-muted">{emptyText}</p> : null}
      {shown.map((p) => (
        <p key={String(p.dataKey)} className="flex items-center gap-2">
          <span aria-hidden className="inline-block size-2 rounded-full" style={{ background: p.color }} />
          <span className="text-muted">{String(p.name)}</span>
          <span className="ml-auto pl-3 font-medium tabular-nums">{format(p.value as number)}</span>
        </p>
      ))}
    </div>
  );
}

/** Said over a chart's plot when it has nothing to draw, so an empty chart never looks broken. */
export function ChartOverlay({ children }: { children: ReactNode }) {
  return <div className="pointer-events-none absolute inset-0 flex items-center justify-center text-xs text-muted">{children}</div>;
}

type DotProps = { cx?: number; cy?: number; index?: number };

/**
 * A line's dot only where the point stands alone (no value before or after it): a line is drawn
 * between neighbours, so a lone bucket would otherwise not show at all.
 */
export function loneDot(rows: readonly Record<string, number | null>[], key: string, color: string) {
  return function LoneDot({ cx, cy, index }: DotProps) {
    const i = index ?? -1;
    const alone = rows[i]?.[key] != null && rows[i - 1]?.[key] == null && rows[i + 1]?.[key] == null;
    if (!alone || cx === undefined || cy === undefined) return <g key={`${key}-${i}`} />;
    return <circle key={`${key}-${i}`} cx={cx} cy={cy} r={2.5} fill={color} />;
  };
}
