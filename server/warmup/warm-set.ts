import 'server-only';
import { and, desc, eq, inArray, notInArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { runWarmSets, warmKeys } from '../db/schema';

/** The most keys of one run's warm set kept exactly per strategy; beyond, a hash-picked share (keepRate). */
export const WARM_SET_BOUND = 100_000;
/** Keys of a run's warm set whose reads are checked afterwards: a 95% margin of at most ±5.7 points. */
export const WARM_SAMPLE_SIZE = 300;
/** Runs per strategy whose warm sets are kept (a run is diffed against the one before it). */
export const WARM_SETS_KEPT = 2;

/** A number in [0, 1) from the key alone (FNV-1a): the same key falls on the same side of a keep rate in every run. */
export function hashFraction(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) / 2 ** 32;
}

export type WarmedKey = { key: string; writtenAt: Date };

/**
 * The keys one shard wrote, as the engine reports them, bounded: keys whose hash fraction is under
 * `keepRate`, at most WARM_SET_BOUND of them (beyond, `truncated`).
 */
export class WarmSetCollector {
  readonly keys: WarmedKey[] = [];
  truncated = false;
  constructor(readonly keepRate: number) {}

  add(keys: readonly string[], writtenAt: Date): void {
    for (const key of keys) {
      if (this.keepRate < 1 && hashFraction(key) >= this.keepRate) continue;
      if (this.keys.length >= WARM_SET_BOUND) {
        this.truncated = true;
        return;
      }
      this.keys.push({ key, writtenAt });
    }
  }
}

/** The keep rate for a strategy whose whole warm set counts `count` keys: 1 up to the bound. */
export function keepRateFor(count: number | null): number {
  return count === null || count <= WARM_SET_BOUND ? 1 : WARM_SET_BOUND / count;
}

/**
 * Adds a shard's warmed keys to its run's warm set (in endShard's transaction, under the run's row
 * lock, so shards of one strategy add up without racing). The bound holds over all the shards.
 */
export async function saveWarmKeys(tx: Db, runId: string, strategy: string, collected: { keys: WarmedKey[]; truncated: boolean; keepRate: number }): Promise<void> {
  const [existing] = await tx.select().from(runWarmSets).where(and(eq(runWarmSets.runId, runId), eq(runWarmSets.strategy, strategy)));
  const room = WARM_SET_BOUND - (existing?.kept ?? 0);
  const keys = collected.keys.slice(0, Math.max(0, room));
  const truncated = collected.truncated || keys.length < collected.keys.length;
  let inserted = 0;
  for (let i = 0; i < keys.length; i += 2000) {
    const rows = await tx
      .insert(warmKeys)
      .values(keys.slice(i, i + 2000).map((k) => ({ runId, strategy, key: k.key, writtenAt: k.writtenAt })))
      // A key a retried or cut shard wrote twice: its last write is its baseline.
      .onConflictDoUpdate({ target: [warmKeys.runId, warmKeys.strategy, warmKeys.key], set: { writtenAt: sql`greatest(${warmKeys.writtenAt}, excluded.written_at)` } })
      .returning({ inserted: sql<boolean>`xmax = 0` });
    inserted += rows.filter((r) => r.inserted).length;
  }
  await tx
    .insert(runWarmSets)
    .values({ runId, strategy, keepRate: collected.keepRate, kept: inserted, truncated })
    .onConflictDoUpdate({
      target: [runWarmSets.runId, runWarmSets.strategy],
      set: { kept: sql`${runWarmSets.kept} + ${inserted}`, truncated: sql`${runWarmSets.truncated} or ${truncated}`, keepRate: sql`least(${runWarmSets.keepRate}, ${collected.keepRate})` },
    });
}

/**
 * When a strategy of a run is recorded: fixes the sample its used/unread checks will read (a uniform
 * pick of its kept keys) and drops the warm sets of its older runs beyond the last WARM_SETS_KEPT.
 */
export async function closeWarmSet(tx: Db, runId: string, strategy: string, ttlSeconds: number): Promise<void> {
  const sample = await tx
    .select({ key: warmKeys.key, writtenAt: warmKeys.writtenAt })
    .from(warmKeys)
    .where(and(eq(warmKeys.runId, runId), eq(warmKeys.strategy, strategy)))
    .orderBy(sql`random()`)
    .limit(WARM_SAMPLE_SIZE);
  if (sample.length === 0) return;
  await tx
    .update(runWarmSets)
    .set({ sample: sample.map((s) => ({ key: s.key, writtenAt: s.writtenAt.getTime() })), ttlSeconds, finishedAt: sql`now()` })
    .where(and(eq(runWarmSets.runId, runId), eq(runWarmSets.strategy, strategy)));
  const keep = await tx
    .select({ runId: runWarmSets.runId })
    .from(runWarmSets)
    .where(and(eq(runWarmSets.strategy, strategy), sql`${runWarmSets.finishedAt} is not null`))
    .orderBy(desc(runWarmSets.finishedAt))
    .limit(WARM_SETS_KEPT);
  const kept = keep.map((k) => k.runId);
  // The older runs' keys go; their run_warm_sets rows (and samples) stay for the effect checks still due.
  const older = tx
    .select({ runId: runWarmSets.runId })
    .from(runWarmSets)
    .where(and(eq(runWarmSets.strategy, strategy), notInArray(runWarmSets.runId, kept), sql`${runWarmSets.finishedAt} is not null`));
  await tx.delete(warmKeys).where(and(eq(warmKeys.strategy, strategy), inArray(warmKeys.runId, older)));
}
