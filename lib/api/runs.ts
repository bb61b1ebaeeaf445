import { z } from 'zod';
import { governorProfileSchema } from './governor';
import { strategyNameSchema as strategyName, tagNameSchema as tagName, isoDateSchema as isoDate } from './names';
import type { RunEstimate } from './estimate';

/** Shapes of the runs API, shared by the route handlers and the browser. */

export const RUN_STATUSES = ['running', 'succeeded', 'partial', 'failed', 'cancelled', 'abandoned'] as const;
export const RUN_TRIGGERS = ['startup', 'schedule', 'catch_up', 'manual', 'api', 'cli', 'retry'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export type RunTrigger = (typeof RUN_TRIGGERS)[number];


export const scopeSchema = z.union(
  [
    z.strictObject({ all: z.literal(true) }),
    z.strictObject({ strategies: z.array(strategyName).min(1, { error: 'name at least one strategy' }).max(50) }),
    z.strictObject({ tags: z.array(tagName).min(1, { error: 'name at least one tag' }).max(20) }),
  ],
  { error: 'expected {"all": true}, {"strategies": [...]} or {"tags": [...]}' },
);
export type Scope = z.infer<typeof scopeSchema>;

export const startRunSchema = z.strictObject({
  scope: scopeSchema,
  concurrency: z.int({ error: 'expected a whole number' }).min(1).max(256).optional(),
  onlyMissing: z.boolean().optional(),
  dryRun: z.boolean().optional(),
  /** The load governor's profile (lib/api/governor.ts); absent: `fixed`. */
  profile: governorProfileSchema.optional(),
  /** Run even though now is inside a blackout window of a schedule covering its strategies (else 409 `in_blackout`). */
  confirmBlackout: z.boolean().optional(),
});
export type StartRunRequest = z.infer<typeof startRunSchema>;

/** POST /api/runs/{id}/retry: the options a manual run has (the body may be empty). */
export const retryRunSchema = z.strictObject({
  onlyMissing: z.boolean().optional(),
  dryRun: z.boolean().optional(),
});
export type RetryRunRequest = z.infer<typeof retryRunSchema>;


export const listRunsQuerySchema = z.strictObject({
  strategy: strategyName.optional(),
  trigger: z.enum(RUN_TRIGGERS).optional(),
  status: z.enum(RUN_STATUSES).optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number({ error: 'expected a number' }).int({ error: 'expected a whole number' }).min(1).max(200).optional(),
  includeDryRuns: z.enum(['true', 'false']).optional(),
  /** A run id (or its first characters), or text in who started it, its schedule, its strategies or its error. */
  q: z.string().trim().max(100, { error: 'must be at most 100 characters' }).optional(),
});
export type ListRunsQuery = z.infer<typeof listRunsQuerySchema>;

export type RunListItem = {
  id: string;
  trigger: RunTrigger;
  triggeredBy: string;
  scheduleId: number | null;
  scheduleName: string | null;
  scope: Scope;
  strategies: string[];
  status: RunStatus;
  dryRun: boolean;
  onlyMissing: boolean;
  concurrency: number;
  createdAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  total: number;
  warmed: number;
  skipped: number;
  failed: number;
  /** lib/success-rate.ts: warmed / (warmed + failed); null when the run had nothing to warm. */
  successRate: number | null;
  error: string | null;
};

export type RunList = { items: RunListItem[]; nextCursor: string | null };

export type RunStrategyResult = {
  strategy: string;
  position: number;
  outcome: 'succeeded' | 'partial' | 'failed' | 'cancelled' | 'skipped';
  priority: number;
  ttlSeconds: number;
  total: number;
  warmed: number;
  skipped: number;
  failed: number;
  /** lib/success-rate.ts's rule; null when the strategy had nothing to warm. */
  successRate: number | null;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  error: string | null;
};

export type RunFailureItem = { strategy: string; key: string; error: string; at: string };

/** One strategy's progress while it is warmed. */
export type StrategyProgress = {
  strategy: string;
  /** Keys the strategy said it would yield, when it knows (null: unknown). */
  expected: number | null;
  done: number;
  warmed: number;
  skipped: number;
  failed: number;
  keysPerSecond: number;
  elapsedMs: number;
};

/**
 * What a run is doing now: `queued` (its work waits for a worker), `planning` (a worker splits a
 * strategy's key space into shards), `counting` (its keys), `warming`, `saving` (its results).
 */
export const RUN_PHASES = ['queued', 'planning', 'counting', 'warming', 'saving'] as const;
export type RunPhase = (typeof RUN_PHASES)[number];

/** Progress of a run as its records say now (its shards publish theirs about twice a second). */
export type RunProgress = {
  strategy: string | null;
  position: number;
  strategiesTotal: number;
  current: StrategyProgress | null;
  completed: { strategy: string; outcome: string; total: number; warmed: number; skipped: number; failed: number }[];
  concurrency: number;
  inFlight: number;
  /** The current strategy's shards: how many, waiting, running, settled, taken over after a worker died. */
  shards: { total: number; queued: number; running: number; settled: number; retried: number } | null;
  /** Null once the run has ended. */
  phase: RunPhase | null;
  /** When the phase began (ISO). */
  phaseSince: string | null;
  /** Why queued work is not taken: the global pause, no live worker, every worker busy. */
  waitingFor: 'pause' | 'worker' | 'slot' | null;
};

/** One shard of a run's strategy, as the run detail lists them. */
export type RunShardItem = {
  strategy: string;
  shard: number;
  status: 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
  /** Key-space positions [from, to) (product ids), when the strategy has a key space. */
  rangeFrom: number | null;
  rangeTo: number | null;
  skip: number;
  worker: string | null;
  attempt: number;
  retries: { attempt: number; worker: string | null; startedAt: string | null; endedAt: string; reason: string }[];
  expected: number | null;
  total: number;
  warmed: number;
  skipped: number;
  failed: number;
  phase: string | null;
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  /** Ended before its range did (time cap, worker shutdown): the rest is a later shard. */
  cut: boolean;
  error: string | null;
};

/** A run as its event stream (GET /api/runs/{id}/events) reports it. */
export type RunSnapshot = {
  id: string;
  status: RunStatus;
  concurrency: number;
  total: number;
  warmed: number;
  skipped: number;
  failed: number;
  progress: RunProgress | null;
  cancelRequestedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  error: string | null;
};

export type RunDetail = RunListItem & {
  /** The process that recorded the run (host:pid); the shards say which workers executed it. */
  owner: string;
  cancelRequestedAt: string | null;
  cancelRequestedBy: string | null;
  retryOf: string | null;
  keyFilter: Record<string, string[]> | null;
  progress: RunProgress | null;
  results: RunStrategyResult[];
  shards: RunShardItem[];
  failures: RunFailureItem[];
  /** Failures recorded for the run (at most 1000 are kept). */
  failureCount: number;
  /** Dry runs: what a real run of the same scope would take (keys, duration, cache memory); else null. */
  estimate: RunEstimate | null;
  /** What went wrong without failing the run (a read replica passed over, say), oldest first, at most 20. */
  warnings: { at: string; code: string; message: string }[];
};

export const statsQuerySchema = z.strictObject({
  from: isoDate.optional(),
  to: isoDate.optional(),
  bucket: z.enum(['auto', '5m', '15m', '1h', '6h', '1d']).optional(),
  strategy: strategyName.optional(),
  trigger: z.enum(RUN_TRIGGERS).optional(),
});
export type StatsQuery = z.infer<typeof statsQuerySchema>;

export type StatsBucket = {
  strategy: string;
  bucketStart: string;
  runs: number;
  /** lib/success-rate.ts's rule over the bucket's keys (key-weighted); null when nothing was warmed or failed. */
  successRate: number | null;
  total: number;
  warmed: number;
  skipped: number;
  failed: number;
  p50DurationMs: number;
  p95DurationMs: number;
  /**
   * Counted (at least partly) from the daily rollups: the raw runs of its days were pruned. Counts
   * and success rate are exact; durations are the days' own percentiles combined.
   */
  fromRollups?: true;
};

export type Stats = { from: string; to: string; bucket: string; buckets: StatsBucket[] };
