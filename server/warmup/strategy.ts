import 'server-only';
import type { z } from 'zod';
import type { Database } from '../db/client';

/**
 * A warmup strategy: the policy a bounded context provides (which keys, how to load them, how
 * important they are, how long they live). The engine (the mechanism) does the rest: limits,
 * batching, pipelined writes, outcomes, progress, cancellation.
 *
 * Values are JSON text. A strategy that can should let Postgres build that text (json_build_object,
 * row_to_json) in `loadMany`: one query a batch, no per-row work in Node.
 */
export interface WarmupStrategy<Options extends Record<string, unknown> = Record<string, unknown>> {
  /** Unique, snake_case: `hot_products`. */
  readonly name: string;
  /** The bounded context that owns it: `catalog`, `identity`. Always one of its tags too. */
  readonly context: string;
  readonly tags: readonly string[];
  readonly description: string;
  readonly defaultPriority: number;
  /** Its TTL unless an operator sets one; without it, the global defaultTtlSeconds setting applies. */
  readonly defaultTtlSeconds?: number;
  readonly defaultEnabled: boolean;
  /**
   * The strategy's own settings (e.g. hot products' top N and days), every field with a default:
   * `optionsSchema.parse({})` gives the defaults, and operators' edits are validated with it.
   */
  readonly optionsSchema: z.ZodType<Options>;
  /**
   * The keys to warm, in batches of about `ctx.batchSize`, so a million keys never sit in memory.
   * With `ctx.range` (strategies with a key space), only the keys whose position is in it, in
   * position order.
   */
  keys(ctx: StrategyContext<Options>): AsyncIterable<string[]>;
  /** How many keys `keys()` will yield, when that is cheap to know (for progress). */
  countKeys?(ctx: StrategyContext<Options>): Promise<number>;
  /**
   * For strategies whose keys are positions in an ordered space (products by id): how to split it
   * into shards that workers warm in parallel. Strategies without one are warmed as one shard
   * (resumed, when a shard is cut, by passing over the keys it already did).
   */
  readonly keySpace?: KeySpace<Options>;
  /**
   * About `size` of its keys picked uniformly at random, cheaply: for strategies whose key set is too
   * big to walk (a million products), so coverage and estimates can sample it. Others are sampled
   * from a bounded walk of `keys()`.
   */
  sampleKeys?(ctx: StrategyContext<Options>, size: number): Promise<string[]>;
  /** The value of one key as JSON text, or null when there is no data (the key is skipped). */
  load(key: string, ctx: StrategyContext<Options>): Promise<string | null>;
  /** The values of a batch in one query, aligned with `keys` (null: no data). */
  loadMany?(keys: readonly string[], ctx: StrategyContext<Options>): Promise<(string | null)[]>;
}

/** Positions [from, to) of a key space. */
export type KeyRange = { from: number; to: number };

export interface KeySpace<Options = Record<string, unknown>> {
  /**
   * Consecutive ranges covering every key, each of about `size` keys (the last may be smaller),
   * with how many keys each holds. One query, however large the space.
   */
  ranges(ctx: StrategyContext<Options>, size: number): Promise<(KeyRange & { keys: number })[]>;
  /** A key's position (its product id): where a cut shard resumes, after the last key it did. */
  positionOf(key: string): number;
}

export type StrategyContext<Options = Record<string, unknown>> = {
  database: Database;
  options: Options;
  /** Aborted when the run is cancelled or times out: long queries should stop. */
  signal: AbortSignal;
  /** The moment the run started: "the last 30 days" and "active in the last hour" count from it. */
  now: Date;
  batchSize: number;
  /** The shard's key range, for strategies with a key space (absent: the whole space). */
  range?: KeyRange;
};

/** A strategy as it is configured now: its defaults with the operator's overrides applied. */
export type ResolvedStrategy = {
  strategy: WarmupStrategy;
  name: string;
  priority: number;
  ttlSeconds: number;
  /** The TTL without an operator's override: the strategy's own, else the global default. */
  defaultTtlSeconds: number;
  enabled: boolean;
  options: Record<string, unknown>;
};
