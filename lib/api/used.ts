import { z } from 'zod';
import type { RunMarker } from './effect';
import { isoDateSchema } from './names';

// Issue 18: used / unread / gone of a run's warm set, Redis's keyspace hit ratio, and run diffs.

export const EFFECT_CHECKPOINTS = ['end', '10m', '1h', 'half_ttl'] as const;
export type EffectCheckpoint = (typeof EFFECT_CHECKPOINTS)[number];

/** How a read shows: idletime (LRU or no-eviction policy), freq (LFU), none (the cache cannot tell). */
export type ReadMethod = 'idletime' | 'freq' | 'none';

/** One check of a run's warm-set sample. Shares over `sampled`; their 95% intervals: lib/wilson.ts. */
export type EffectSample = {
  runId: string;
  strategy: string;
  checkpoint: EffectCheckpoint;
  sampledAt: string;
  policy: string;
  method: ReadMethod;
  sampled: number;
  used: number;
  unread: number;
  gone: number;
  unknown: number;
  note: string | null;
};

/** Per strategy: its newest run with a check, what that run warmed, and its newest check. */
export type StrategyEffect = { strategy: string; runId: string; warmed: number; finishedAt: string | null; sample: EffectSample };
export type EffectOverview = { strategies: StrategyEffect[] };

export type RunEffect = {
  runId: string;
  strategies: { strategy: string; warmed: number; kept: number; keepRate: number; truncated: boolean; samples: EffectSample[] }[];
};

export const keyspaceQuerySchema = z.strictObject({
  /** Default: 24 hours before `to`. */
  from: isoDateSchema.optional(),
  /** Default: now. */
  to: isoDateSchema.optional(),
});

/** Redis's keyspace counters between two samples; ratio null when nothing was looked up or the counters restarted. */
export type KeyspacePoint = { at: string; hits: number; misses: number; expiredKeys: number; evictedKeys: number; hitRatio: number | null };
export type KeyspaceHistory = {
  from: string;
  to: string;
  intervalSeconds: number;
  points: KeyspacePoint[];
  totals: { hits: number; misses: number; expiredKeys: number; evictedKeys: number; hitRatio: number | null };
  runs: RunMarker[];
  runsTruncated: boolean;
};

/** What changed in a strategy's warm set against the previous run of the same strategy. */
export type StrategyDiff = {
  strategy: string;
  previousRunId: string | null;
  /** exact: every key compared; sample: keys under a hash keep rate, counts scaled up by 1/keepRate. */
  method: 'exact' | 'sample' | 'none';
  keepRate: number;
  /** A warm set hit its bound without a keep rate: the counts cover only the kept keys. */
  truncated: boolean;
  added: number;
  dropped: number;
  newlyFailing: number;
  noLongerFailing: number;
  /** A few keys of each, for the page. */
  examples: { added: string[]; dropped: string[]; newlyFailing: string[]; noLongerFailing: string[] };
};
export type RunDiff = { runId: string; strategies: StrategyDiff[] };
