import 'server-only';
import { desc, sql } from 'drizzle-orm';
import type PgBoss from 'pg-boss';
import type { QueueDepth, WorkerView, WorkersOverview } from '@/lib/api/workers';
import type { Database } from '../db/client';
import { type WorkerRow, workers } from '../db/schema';
import { SHARD_QUEUE } from '../warmup/job-queue';
import { WORKER_GONE_SECONDS } from '../warmup/run-watchdog';
import { getSettings } from '../warmup/settings';

/** Workers seen in the last day, newest first, and the queue's depth: the Workers view and metrics. */
export async function listWorkers(deps: { database: Database; boss: PgBoss }): Promise<WorkersOverview> {
  const [rows, queue, settings] = await Promise.all([
    deps.database.db
      .select({ worker: workers, alive: sql<boolean>`${workers.lastSeenAt} > now() - make_interval(secs => ${WORKER_GONE_SECONDS})` })
      .from(workers)
      .where(sql`${workers.lastSeenAt} > now() - interval '1 day'`)
      .orderBy(desc(workers.startedAt)),
    queueDepth(deps.boss),
    getSettings(deps.database),
  ]);
  return { workers: rows.map((r) => toWorkerView(r.worker, r.alive)), queue, paused: settings.paused, goneAfterSeconds: WORKER_GONE_SECONDS };
}

/** Shards queued, being warmed and waiting for a retry, as pg-boss counts them. */
export async function queueDepth(boss: PgBoss): Promise<QueueDepth> {
  // pg-boss counts the jobs in the states before the one named (created < retry < active < completed).
  const [created, waiting, unfinished] = await Promise.all([
    boss.getQueueSize(SHARD_QUEUE, { before: 'retry' }),
    boss.getQueueSize(SHARD_QUEUE, { before: 'active' }),
    boss.getQueueSize(SHARD_QUEUE, { before: 'completed' }),
  ]);
  return { queued: created, retrying: waiting - created, active: unfinished - waiting };
}

function toWorkerView(w: WorkerRow, alive: boolean): WorkerView {
  return {
    id: w.id,
    name: `${w.host}:${w.pid}`,
    host: w.host,
    pid: w.pid,
    state: w.state === 'running' && !alive ? 'gone' : w.state,
    alive: alive && w.state === 'running',
    slots: w.slots,
    busy: alive ? w.busy : 0,
    shardsDone: w.shardsDone,
    keysDone: w.keysDone,
    keysPerSecond: alive ? w.keysPerSecond : 0,
    startedAt: w.startedAt.toISOString(),
    lastSeenAt: w.lastSeenAt.toISOString(),
  };
}
