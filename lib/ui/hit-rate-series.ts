import type { HitRate, HitRateTotals, ReadFamily, RunMarker } from '@/lib/api/effect';

/** The overview's "does the warmup help?" ranges, each with the bucket its charts are drawn in. */
export const EFFECT_RANGES = {
  '1h': { ms: 3_600_000, bucket: '1m', bucketMs: 60_000, tickMs: 10 * 60_000, label: 'Last hour', bucketLabel: 'minute' },
  '24h': { ms: 86_400_000, bucket: '15m', bucketMs: 15 * 60_000, tickMs: 3 * 3_600_000, label: '24 h', bucketLabel: '15 minutes' },
  '7d': { ms: 7 * 86_400_000, bucket: '1h', bucketMs: 3_600_000, tickMs: 86_400_000, label: '7 days', bucketLabel: 'hour' },
} as const;
export type EffectRangeKey = keyof typeof EFFECT_RANGES;

export function isEffectRangeKey(value: string | null | undefined): value is EffectRangeKey {
  return value !== null && value !== undefined && value in EFFECT_RANGES;
}

/**
 * The range ending at the end of the bucket in progress: the newest bar is the one still filling,
 * and the query (so its cached answer) only changes when a bucket ends.
 */
export function effectRange(key: EffectRangeKey, now: number): { from: string; to: string; bucket: (typeof EFFECT_RANGES)[EffectRangeKey]['bucket'] } {
  const { ms, bucket, bucketMs } = EFFECT_RANGES[key];
  const to = Math.floor(now / bucketMs) * bucketMs + bucketMs;
  return { from: new Date(to - ms).toISOString(), to: new Date(to).toISOString(), bucket };
}

/** Axis ticks on round times (every `stepMs` since the epoch) from `from` to `to`: the same on every chart of a range. */
export function timeTicks(from: string, to: string, stepMs: number): number[] {
  const ticks: number[] = [];
  for (let t = Math.ceil(Date.parse(from) / stepMs) * stepMs; t <= Date.parse(to); t += stepMs) ticks.push(t);
  return ticks;
}

/** The families drawn, in a fixed order (their colours follow it), then the sum over them. */
export const FAMILY_ORDER: readonly (ReadFamily | 'all')[] = ['products', 'categories', 'recommendations', 'sessions', 'all'];

export type HitRateRow = { t: number } & Partial<Record<ReadFamily | 'all', number | null>>;

/** One row per bucket: each family's hit rate in it (null: no reads, a gap in its line). */
export function hitRateRows(data: HitRate): HitRateRow[] {
  const first = data.series[0];
  if (!first) return [];
  return first.points.map((point, i) => {
    const row: HitRateRow = { t: Date.parse(point.bucketStart) };
    for (const series of data.series) row[series.family] = series.points[i]?.hitRate ?? null;
    return row;
  });
}

export type QueryRow = { t: number; dbQueries: number; dbQueriesAvoided: number };

/** Per bucket, over every family: the queries misses cost, and the queries the cache answered instead. */
export function queryRows(data: HitRate): QueryRow[] {
  const all = data.series.find((s) => s.family === 'all');
  return (all?.points ?? []).map((p) => ({ t: Date.parse(p.bucketStart), dbQueries: p.dbQueries, dbQueriesAvoided: p.dbQueriesAvoided }));
}

/** The totals in FAMILY_ORDER, `all` last. */
export function orderedTotals(data: HitRate): HitRateTotals[] {
  return FAMILY_ORDER.map((family) => data.totals.find((t) => t.family === family)).filter((t): t is HitRateTotals => t !== undefined);
}

export type RunSpan = { id: string; start: number; end: number; status: RunMarker['status']; label: string };

/**
 * Runs as marks on a time axis from `from` to `to`: each one's start (a run that began before the
 * range starts at its left edge) and its end (now, or the right edge, while it runs).
 */
export function runSpans(runs: readonly RunMarker[], from: string, to: string, now: number = Date.now()): RunSpan[] {
  const left = Date.parse(from);
  const right = Date.parse(to);
  return runs
    .map((run) => {
      const start = Math.max(left, Date.parse(run.startedAt));
      const end = Math.min(right, run.finishedAt ? Date.parse(run.finishedAt) : Math.min(now, right));
      const who = run.trigger === 'schedule' || run.trigger === 'catch_up' ? run.trigger.replace('_', '-') : `${run.trigger} by ${run.triggeredBy}`;
      return { id: run.id, start, end: Math.max(start, end), status: run.status, label: `${run.strategies.join(', ')} (${who}, ${run.status})` };
    })
    .filter((span) => span.start < right && span.end >= left);
}

/** A run mark on a chart, standing for `count` runs that started too close together to draw apart. */
export type RunMark = RunSpan & { count: number };

/**
 * At most `maxMarks` marks over the range: a run starting within (range / maxMarks) of the mark
 * before it joins that mark (its count grows, the shaded span stretches to its end) instead of
 * drawing a line of its own. Without this, a busy range's dashed lines merge into a hatched block.
 */
export function thinRunMarks(spans: readonly RunSpan[], from: string, to: string, maxMarks = 80): RunMark[] {
  const gap = (Date.parse(to) - Date.parse(from)) / maxMarks;
  const marks: RunMark[] = [];
  for (const span of [...spans].sort((a, b) => a.start - b.start)) {
    const last = marks.at(-1);
    if (last && span.start - last.start < gap) {
      last.count += 1;
      last.end = Math.max(last.end, span.end);
    } else {
      marks.push({ ...span, count: 1 });
    }
  }
  return marks;
}
