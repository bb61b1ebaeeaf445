import 'server-only';
import { and, asc, desc, eq, gte, lt } from 'drizzle-orm';
import type { EffectCheckpoint, EffectOverview, EffectSample, KeyspaceHistory, KeyspacePoint, ReadMethod, RunEffect } from '@/lib/api/used';
import type { Database } from '../db/client';
import { type EffectSampleRow, effectSamples, keyspaceSamples, runStrategies, runWarmSets } from '../db/schema';
import { AppError } from '../errors';
import { getRunMarkers } from './run-markers';

function toSample(row: EffectSampleRow): EffectSample {
  return {
    runId: row.runId,
    strategy: row.strategy,
    checkpoint: row.checkpoint as EffectCheckpoint,
    sampledAt: row.sampledAt.toISOString(),
    policy: row.policy,
    method: row.method as ReadMethod,
    sampled: row.sampled,
    used: row.used,
    unread: row.unread,
    gone: row.gone,
    unknown: row.unknown,
    note: row.note,
  };
}

/** Per strategy, the newest check of its newest run that has one, with what that run warmed. */
export async function getEffectOverview(database: Database): Promise<EffectOverview> {
  const rows = await database.db.selectDistinctOn([effectSamples.strategy]).from(effectSamples).orderBy(effectSamples.strategy, desc(effectSamples.sampledAt), desc(effectSamples.id));
  const strategies = await Promise.all(
    rows.map(async (row) => {
      const [rs] = await database.db.select().from(runStrategies).where(and(eq(runStrategies.runId, row.runId), eq(runStrategies.strategy, row.strategy)));
      return { strategy: row.strategy, runId: row.runId, warmed: rs?.warmed ?? 0, finishedAt: rs?.finishedAt?.toISOString() ?? null, sample: toSample(row) };
    }),
  );
  return { strategies };
}

/** Every check of one run, per strategy, with how its warm set was kept. */
export async function getRunEffect(database: Database, runId: string): Promise<RunEffect> {
  const sets = await database.db.select().from(runWarmSets).where(eq(runWarmSets.runId, runId)).orderBy(asc(runWarmSets.strategy));
  const samples = await database.db.select().from(effectSamples).where(eq(effectSamples.runId, runId)).orderBy(asc(effectSamples.sampledAt));
  const warmed = await database.db.select().from(runStrategies).where(eq(runStrategies.runId, runId));
  return {
    runId,
    strategies: sets.map((s) => ({
      strategy: s.strategy,
      warmed: warmed.find((w) => w.strategy === s.strategy)?.warmed ?? s.kept,
      kept: s.kept,
      keepRate: s.keepRate,
      truncated: s.truncated,
      samples: samples.filter((e) => e.strategy === s.strategy).map(toSample),
    })),
  };
}

/**
 * Redis's keyspace counters per sample interval over [from, to): the differences between
 * consecutive samples (a restart of Redis, seen as a smaller uptime or counters, starts over: that
 * interval counts nothing), with the runs as markers.
 */
export async function getKeyspaceHistory(database: Database, range: { from: Date; to: Date }, intervalSeconds: number): Promise<KeyspaceHistory> {
  const before = await database.db.select().from(keyspaceSamples).where(lt(keyspaceSamples.sampledAt, range.from)).orderBy(desc(keyspaceSamples.sampledAt)).limit(1);
  const inRange = await database.db
    .select()
    .from(keyspaceSamples)
    .where(and(gte(keyspaceSamples.sampledAt, range.from), lt(keyspaceSamples.sampledAt, range.to)))
    .orderBy(asc(keyspaceSamples.sampledAt));
  if (inRange.length > 5000) throw new AppError('invalid_request', `from: the range holds ${inRange.length} keyspace samples, more than 5000: choose a shorter range`, { field: 'from' });
  const all = [...before, ...inRange];
  const points: KeyspacePoint[] = [];
  for (let i = 1; i < all.length; i++) {
    const a = all[i - 1]!;
    const b = all[i]!;
    const restarted = b.uptimeSeconds < a.uptimeSeconds || b.hits < a.hits || b.misses < a.misses;
    const d = restarted
      ? { hits: 0, misses: 0, expiredKeys: 0, evictedKeys: 0 }
      : { hits: b.hits - a.hits, misses: b.misses - a.misses, expiredKeys: b.expiredKeys - a.expiredKeys, evictedKeys: b.evictedKeys - a.evictedKeys };
    points.push({ at: b.sampledAt.toISOString(), ...d, hitRatio: d.hits + d.misses > 0 ? d.hits / (d.hits + d.misses) : null });
  }
  const sum = (f: (p: KeyspacePoint) => number) => points.reduce((n, p) => n + f(p), 0);
  const totals = { hits: sum((p) => p.hits), misses: sum((p) => p.misses), expiredKeys: sum((p) => p.expiredKeys), evictedKeys: sum((p) => p.evictedKeys), hitRatio: null as number | null };
  totals.hitRatio = totals.hits + totals.misses > 0 ? totals.hits / (totals.hits + totals.misses) : null;
  const markers = await getRunMarkers(database, range.from, range.to);
  return { from: range.from.toISOString(), to: range.to.toISOString(), intervalSeconds, points, totals, runs: markers.runs, runsTruncated: markers.truncated };
}
