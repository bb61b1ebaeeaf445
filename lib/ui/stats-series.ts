import { successRate } from '@/lib/success-rate';
import type { Stats, StatsBucket } from '@/lib/api/runs';

export const BUCKET_MS: Record<string, number> = {
  '5m': 5 * 60_000,
  '15m': 15 * 60_000,
  '1h': 3_600_000,
  '6h': 6 * 3_600_000,
  '1d': 86_400_000,
};

/** One point of the time axis: its start (ms) and each strategy's value (null: no run in it). */
export type SeriesRow = { t: number } & Record<string, number | null>;

type Metric = (bucket: StatsBucket) => number | null;

/**
 * Spreads the stats' buckets over every bucket of the range, in order, one column per strategy.
 * A bucket without runs holds `empty` (null draws a gap in a line: a stretch with no runs must
 * look like one, not like a straight line between the runs around it).
 */
export function toSeries(stats: Stats, strategies: readonly string[], metric: Metric, empty: number | null = null): SeriesRow[] {
  const step = BUCKET_MS[stats.bucket] ?? 3_600_000;
  const from = Date.parse(stats.from);
  const to = Date.parse(stats.to);
  const rows = new Map<number, SeriesRow>();
  for (let t = from; t < to; t += step) rows.set(t, blank(t, strategies, empty));
  for (const bucket of stats.buckets) {
    if (!strategies.includes(bucket.strategy)) continue;
    const t = Date.parse(bucket.bucketStart);
    const row = rows.get(t) ?? blank(t, strategies, empty);
    row[bucket.strategy] = metric(bucket);
    rows.set(t, row);
  }
  return [...rows.values()].sort((a, b) => a.t - b.t);
}

function blank(t: number, strategies: readonly string[], empty: number | null): SeriesRow {
  const row = { t } as SeriesRow;
  for (const s of strategies) row[s] = empty;
  return row;
}

export type StrategyTotals = { strategy: string; runs: number; total: number; warmed: number; failed: number; successRate: number | null; worstP95: number | null; medianP50: number | null };

/** Over the whole range, per strategy: the figures a chart's legend shows beside each name. */
export function totalsByStrategy(stats: Stats, strategies: readonly string[]): StrategyTotals[] {
  return strategies.map((strategy) => {
    const buckets = stats.buckets.filter((b) => b.strategy === strategy);
    const sum = (read: (b: StatsBucket) => number) => buckets.reduce((n, b) => n + read(b), 0);
    const total = sum((b) => b.total);
    const p50s = buckets.map((b) => b.p50DurationMs).sort((a, b) => a - b);
    return {
      strategy,
      runs: sum((b) => b.runs),
      total,
      warmed: sum((b) => b.warmed),
      failed: sum((b) => b.failed),
      successRate: successRate({ warmed: sum((b) => b.warmed), failed: sum((b) => b.failed) }),
      worstP95: buckets.length ? Math.max(...buckets.map((b) => b.p95DurationMs)) : null,
      medianP50: p50s.length ? p50s[Math.floor((p50s.length - 1) / 2)]! : null,
    };
  });
}

/** The success-rate axis's floor: a little under the lowest rate or the threshold, in 5% steps. */
export function successAxisFloor(stats: Stats, threshold: number): number {
  const lowest = Math.min(threshold, ...stats.buckets.flatMap((b) => (b.successRate === null ? [] : [b.successRate])));
  return Math.max(0, Math.floor((lowest - 0.01) * 20) / 20);
}

/**
 * A log axis for durations from `min` to `max` ms: its domain widened to the 1-2-5 steps around
 * them, and those steps as ticks (1 ms, 2 ms, 5 ms, 10 ms ... ), never more than about eight.
 */
export function logAxis(min: number, max: number): { domain: [number, number]; ticks: number[] } {
  const steps: number[] = [];
  for (let decade = 1; decade <= 1e8; decade *= 10) steps.push(decade, 2 * decade, 5 * decade);
  const low = Math.max(1, min);
  const high = Math.max(low, max);
  let from = [...steps].reverse().find((s) => s <= low) ?? 1;
  let to = steps.find((s) => s >= high) ?? steps.at(-1)!;
  const ticks = steps.filter((s) => s >= from && s <= to);
  if (ticks.length <= 8) return { domain: [from, to], ticks };
  // Too many: whole decades only, the domain widened to them so both ends are labelled.
  from = 10 ** Math.floor(Math.log10(low));
  to = 10 ** Math.ceil(Math.log10(high));
  return { domain: [from, to], ticks: steps.filter((s) => s >= from && s <= to && String(s).startsWith('1')) };
}
