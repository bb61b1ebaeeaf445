/** What a run would take (POST /api/runs/estimate, and a dry run's record): shared by the runs and effect APIs. */

export type StrategyEstimate = {
  strategy: string;
  ttlSeconds: number;
  keys: {
    count: number;
    /** false: the listing was cut off at its bound and `count` is a lower bound. */
    exact: boolean;
    /** count_keys: the strategy's own count; listing: a dry listing; dry_run: counted by the dry run. */
    basis: 'count_keys' | 'listing' | 'dry_run';
  };
  duration: {
    /** count / keysPerSecond; null without history. */
    expectedMs: number | null;
    basis: 'history' | 'none';
    /** Keys per second over the strategy's recent runs (key-weighted). */
    keysPerSecond: number | null;
    /** How many recent runs that rate comes from (at most 10). */
    runs: number;
  };
  memory: {
    /** bytesPerKey x count; null when nothing could be sampled. */
    bytes: number | null;
    bytesPerKey: number | null;
    /** Keys measured. */
    sampled: number;
    /** memory_usage: Redis MEMORY USAGE of cached keys (memory cache: its own accounting);
     *  loaded_values: nothing was cached, so freshly loaded values' key + value bytes (no overhead). */
    basis: 'memory_usage' | 'loaded_values' | 'none';
  };
  /** Why the strategy could not be estimated (its listing failed, say). */
  error: string | null;
};

export type RunEstimate = {
  computedAt: string;
  strategies: StrategyEstimate[];
  total: {
    keys: number;
    /**
     * The sum over the strategies with history (runs warm strategies one after another), plus the
     * run's own overhead (starting its process, saving its results): the median, over its last
     * runs, of a run's duration beyond its strategies' durations.
     */
    expectedMs: number | null;
    /** The strategies' durations alone (their sum); null when none has one. */
    strategiesMs?: number | null;
    /** That overhead alone; null without history. expectedMs = strategiesMs + overheadMs. */
    overheadMs?: number | null;
    /** Every strategy has a duration estimate. */
    durationComplete: boolean;
    bytes: number | null;
    memoryComplete: boolean;
  };
  /** With onlyMissing, keys still fresh are skipped: the real work is at most this. */
  onlyMissing: boolean;
};

/**
 * The total of a run's estimate: keys and memory summed over the strategies; the duration is the
 * strategies' durations (they warm one after another) plus the run's own overhead (starting,
 * listing, saving), kept apart so the dialog can show it as its own line: strategies + overhead
 * = total, to the millisecond. Without any strategy's duration there is no total duration; with
 * only some, the total is a lower bound (durationComplete false).
 */
export function estimateTotal(strategies: readonly Pick<StrategyEstimate, 'keys' | 'duration' | 'memory'>[], overheadMs: number | null): RunEstimate['total'] {
  const known = <T,>(values: (T | null)[]) => values.filter((v): v is T => v !== null);
  const durations = known(strategies.map((s) => s.duration.expectedMs));
  const bytes = known(strategies.map((s) => s.memory.bytes));
  const strategiesMs = durations.length ? durations.reduce((a, b) => a + b, 0) : null;
  return {
    keys: strategies.reduce((n, s) => n + s.keys.count, 0),
    strategiesMs,
    overheadMs: strategiesMs === null ? null : (overheadMs ?? null),
    expectedMs: strategiesMs === null ? null : strategiesMs + (overheadMs ?? 0),
    durationComplete: durations.length === strategies.length,
    bytes: bytes.length ? bytes.reduce((a, b) => a + b, 0) : null,
    memoryComplete: bytes.length === strategies.length,
  };
}
