import 'server-only';
import { asc, eq } from 'drizzle-orm';
import type { RunGovernor } from '@/lib/api/governor';
import type { Database } from '../db/client';
import { runGovernorSamples, runs } from '../db/schema';
import { AppError } from '../errors';
import { GOVERNOR_SAMPLE_LIMIT } from '../warmup/governor-samples';

/** A run's governor profile and its samples, oldest first: what the run detail's chart draws. */
export async function getRunGovernor(database: Database, runId: string): Promise<RunGovernor> {
  const [run] = await database.db.select({ plan: runs.plan }).from(runs).where(eq(runs.id, runId));
  if (!run) throw new AppError('not_found', `No run with id ${runId}`, { field: 'id' });
  const rows = await database.db.select().from(runGovernorSamples).where(eq(runGovernorSamples.runId, runId)).orderBy(asc(runGovernorSamples.at), asc(runGovernorSamples.id));
  return {
    profile: run.plan?.profile ?? 'fixed',
    limit: GOVERNOR_SAMPLE_LIMIT,
    samples: rows.map((r) => ({
      at: r.at.toISOString(),
      strategy: r.strategy,
      shard: r.shard,
      concurrency: r.concurrency,
      ceiling: r.ceiling,
      batchMs: r.batchMs,
      writeMs: r.writeMs,
      baselineMs: r.baselineMs,
      keysPerSecond: r.keysPerSecond,
      reason: r.reason,
    })),
  };
}
