import 'server-only';
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import type { ShardKey } from './run-records';
import type { GovernorDecision } from './governor';

/** Samples kept per run at most: one per shard every 2 s is 50 minutes of one shard. */
export const GOVERNOR_SAMPLE_LIMIT = 1500;
/** A shard records at most one sample this often. */
export const GOVERNOR_SAMPLE_MS = 2000;

/** The run's last sample of a strategy's shards (scaled by the caller to its own ceiling), or null. */
export async function lastGovernorSample(database: Database, runId: string, strategy: string): Promise<{ concurrency: number; ceiling: number; baselineMs: number | null } | null> {
  const rows = await database.rows<{ concurrency: number; ceiling: number; baselineMs: number | null }>(sql`
    select concurrency, ceiling, baseline_ms as "baselineMs" from run_governor_samples
    where run_id = ${runId}::uuid and strategy = ${strategy} order by at desc, id desc limit 1`);
  return rows[0] ?? null;
}

/**
 * Records one sample of a shard's governor, unless the run already has its limit (the count and
 * the insert are one statement: shards sampling at once may pass the limit by a few rows, not more).
 */
export async function recordGovernorSample(database: Database, key: ShardKey, d: GovernorDecision): Promise<void> {
  await database.rows(sql`
    insert into run_governor_samples (run_id, strategy, shard, concurrency, ceiling, batch_ms, write_ms, baseline_ms, keys_per_second, reason)
    select ${key.runId}::uuid, ${key.strategy}, ${key.shard}, ${d.concurrency}, ${d.ceiling}, ${d.batchMs}, ${d.writeMs}, ${d.baselineMs}, ${d.keysPerSecond}, ${d.reason}
    where (select count(*) from run_governor_samples where run_id = ${key.runId}::uuid) < ${GOVERNOR_SAMPLE_LIMIT}`);
}
