import 'server-only';
import { and, desc, gt, sql } from 'drizzle-orm';
import type { EffectCheckpoint } from '@/lib/api/used';
import type { Cache } from '../cache/cache';
import { BackgroundWork } from '../background-work';
import { withTryAdvisoryLock } from '../db/advisory-lock';
import type { Database } from '../db/client';
import { keyspaceSamples, runWarmSets } from '../db/schema';
import type { Logger } from '../logger';
import type { RunSummary } from '../warmup/run-records';
import { checkWarmSet } from './check-warm-set';

// Any fixed number; the same in every Kiln process (coverage uses 7_283_502).
const EFFECT_LOCK_ID = 7_283_503;
/** Checkpoints whose moment passed longer ago than this are not taken late (their label would lie). */
const LATE_LIMIT_MS = 15 * 60_000;

/** When each check of a run's warm set is due, after the strategy's warm set was closed. */
export function checkpointOffsets(ttlSeconds: number | null): { checkpoint: EffectCheckpoint; afterMs: number }[] {
  const offsets: { checkpoint: EffectCheckpoint; afterMs: number }[] = [
    { checkpoint: 'end', afterMs: 0 },
    { checkpoint: '10m', afterMs: 10 * 60_000 },
    { checkpoint: '1h', afterMs: 60 * 60_000 },
  ];
  if (ttlSeconds && ttlSeconds > 0) offsets.push({ checkpoint: 'half_ttl', afterMs: ttlSeconds * 500 });
  return offsets;
}

export type EffectSamplerDeps = { database: Database; cache: Cache; logger?: Logger; intervalMs: number };

/**
 * Issue 18's periodic work, by one process of all the replicas at a time (an advisory lock): every
 * `intervalMs` (KEYSPACE_SAMPLE_SECONDS) Redis's keyspace counters into keyspace_samples, and the
 * used/unread checks of runs' warm sets whose checkpoint (10 min, 1 h, half the TTL) has come. The
 * check at a run's end is taken by the process that saw the run end (afterRun).
 */
export class EffectSampler {
  readonly #deps: EffectSamplerDeps;
  readonly #work = new BackgroundWork();

  constructor(deps: EffectSamplerDeps) {
    this.#deps = deps;
  }

  get intervalMs(): number {
    return this.#deps.intervalMs;
  }

  /** The end-of-run check of each strategy the run warmed (its hook; never throws). */
  afterRun(summary: RunSummary): void {
    if (this.#work.stopped) return;
    const names = summary.strategies.filter((s) => !s.dryRun).map((s) => s.strategy);
    for (const strategy of names) {
      void this.#work.track(
        checkWarmSet(this.#deps, summary.runId, strategy, 'end').catch((error: unknown) =>
          this.#deps.logger?.warn({ err: error, runId: summary.runId, strategy }, 'Checking the used share after a run failed'),
        ),
      );
    }
  }

  /** One tick: under the lock, a keyspace sample when due and the checks whose checkpoint has come. */
  async tick(now = new Date()): Promise<{ keyspace: boolean; checks: number } | null> {
    const outcome = await withTryAdvisoryLock(this.#deps.database, EFFECT_LOCK_ID, async () => {
      const keyspace = await this.sampleKeyspace(now);
      const checks = await this.checkDue(now);
      return { keyspace, checks };
    });
    return outcome.skipped ? null : outcome.result;
  }

  /** Stores Redis's keyspace counters unless a sample newer than most of an interval exists. */
  async sampleKeyspace(now = new Date()): Promise<boolean> {
    const { database, cache } = this.#deps;
    const since = new Date(now.getTime() - this.#deps.intervalMs * 0.9);
    const [recent] = await database.db.select({ at: keyspaceSamples.sampledAt }).from(keyspaceSamples).where(gt(keyspaceSamples.sampledAt, since)).limit(1);
    if (recent) return false;
    const stats = await cache.keyspaceStats();
    if (!stats) return false;
    await database.db
      .insert(keyspaceSamples)
      .values({ sampledAt: now, hits: stats.hits, misses: stats.misses, expiredKeys: stats.expiredKeys, evictedKeys: stats.evictedKeys, uptimeSeconds: stats.uptimeSeconds })
      .onConflictDoNothing();
    return true;
  }

  /** Takes every check whose moment has come (and passed by less than LATE_LIMIT_MS). Resolves with how many it stored. */
  async checkDue(now = new Date()): Promise<number> {
    const { database } = this.#deps;
    const horizon = new Date(now.getTime() - 2 * 86_400_000);
    const sets = await database.db
      .select({
        runId: runWarmSets.runId,
        strategy: runWarmSets.strategy,
        ttlSeconds: runWarmSets.ttlSeconds,
        finishedAt: runWarmSets.finishedAt,
        taken: sql<string[]>`coalesce((select array_agg(e.checkpoint) from effect_samples e where e.run_id = ${runWarmSets.runId} and e.strategy = ${runWarmSets.strategy}), '{}')`,
      })
      .from(runWarmSets)
      .where(and(gt(runWarmSets.finishedAt, horizon), sql`${runWarmSets.sample} is not null`))
      .orderBy(desc(runWarmSets.finishedAt));
    let stored = 0;
    for (const set of sets) {
      for (const { checkpoint, afterMs } of checkpointOffsets(set.ttlSeconds)) {
        if (checkpoint === 'end' || set.taken.includes(checkpoint)) continue;
        const due = set.finishedAt!.getTime() + afterMs;
        if (due > now.getTime() || now.getTime() - due > LATE_LIMIT_MS) continue;
        try {
          if ((await checkWarmSet(this.#deps, set.runId, set.strategy, checkpoint))?.inserted) stored++;
        } catch (error) {
          this.#deps.logger?.warn({ err: error, runId: set.runId, strategy: set.strategy, checkpoint }, 'A used-share check failed');
        }
      }
    }
    return stored;
  }

  /** Starts the periodic tick (the first one after `firstAfterMs`). */
  start(firstAfterMs = 5_000): void {
    this.#work.every(firstAfterMs, this.#deps.intervalMs, () =>
      this.tick().catch((error: unknown) => this.#deps.logger?.warn({ err: error }, 'The keyspace sample or a used-share check failed')),
    );
  }

  idle(): Promise<void> {
    return this.#work.idle();
  }

  stop(): Promise<void> {
    return this.#work.stop();
  }
}
