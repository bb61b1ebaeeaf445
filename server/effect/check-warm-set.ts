import 'server-only';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { EffectCheckpoint, ReadMethod } from '@/lib/api/used';
import type { Cache } from '../cache/cache';
import type { Database } from '../db/client';
import { effectSamples, runWarmSets, warmKeys } from '../db/schema';
import { type ReadVerdict, classifyRead } from './classify-read';

export type CheckResult = { inserted: boolean; counts: Record<ReadVerdict, number>; method: ReadMethod; policy: string; sampled: number };

/**
 * Checks a run's warm-set sample of one strategy once (a checkpoint): asks Redis, without touching
 * them, whether each key was read since its write, and stores the counts (one row per checkpoint:
 * a second check of the same checkpoint is not stored). Null when the run kept no sample.
 */
export async function checkWarmSet(deps: { database: Database; cache: Cache }, runId: string, strategy: string, checkpoint: EffectCheckpoint): Promise<CheckResult | null> {
  const { database, cache } = deps;
  const [set] = await database.db.select().from(runWarmSets).where(and(eq(runWarmSets.runId, runId), eq(runWarmSets.strategy, strategy)));
  const sample = set?.sample;
  if (!sample || sample.length === 0) return null;
  const keys = sample.map((s) => s.key);
  // Each key's last write by any run still on record: a later re-warm moves its baseline.
  const writes = await database.db
    .select({ key: warmKeys.key, at: sql<string>`max(${warmKeys.writtenAt})` })
    .from(warmKeys)
    .where(inArray(warmKeys.key, keys))
    .groupBy(warmKeys.key);
  const lastWrite = new Map(writes.map((w) => [w.key, new Date(w.at).getTime()]));
  const inspection = await cache.inspectKeys(keys);
  const counts: Record<ReadVerdict, number> = { used: 0, unread: 0, gone: 0, unknown: 0 };
  let method: ReadMethod = 'none';
  let policy = 'none';
  const notes: string[] = [];
  if (!inspection) {
    counts.unknown = sample.length;
    notes.push('The in-process cache keeps no idle times or access counters: whether a key was read cannot be known.');
  } else {
    policy = inspection.policy;
    method = policy.includes('lfu') ? 'freq' : 'idletime';
    inspection.states.forEach((state, i) => {
      const s = sample[i]!;
      counts[classifyRead({ state, writtenAtMs: s.writtenAt, lastWriteMs: Math.max(s.writtenAt, lastWrite.get(s.key) ?? 0), serverNowMs: inspection.serverTimeMs, lfuDecayMinutes: inspection.lfuDecayMinutes })]++;
    });
    if (!inspection.configAvailable) notes.push(`CONFIG is disabled: the policy (${policy}) was read from INFO${method === 'freq' ? ', and lfu-decay-time is assumed to be 1 minute' : ''}.`);
    if (method === 'freq') notes.push('Under LFU a key read once shows only until its counter decays to 0 (about 5 decay periods after the write); past that an untouched counter is counted unknown.');
  }
  const rows = await database.db
    .insert(effectSamples)
    .values({ runId, strategy, checkpoint, policy, method, sampled: sample.length, ...counts, note: notes.length ? notes.join(' ') : null })
    .onConflictDoNothing()
    .returning({ id: effectSamples.id });
  return { inserted: rows.length > 0, counts, method, policy, sampled: sample.length };
}
