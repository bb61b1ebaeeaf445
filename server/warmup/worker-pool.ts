import 'server-only';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { eq, sql } from 'drizzle-orm';
import type PgBoss from 'pg-boss';
import { workers } from '../db/schema';
import { DEAD_SHARD_QUEUE, SHARD_QUEUE } from './job-queue';
import type { ConcurrencyLimiter } from './limiter';
import { type ShardKey, WORK_CHANNEL, announceRunEnded } from './run-records';
import { type ShardDeps, executeShard } from './shard-executor';
import { giveUpShard, releaseShard } from './shard-records';
import { GlobalPause } from './global-pause';

export type WorkerPoolOptions = {
  /** Shards this process runs at once. */
  slots: number;
  /** How often an idle slot looks for work without being woken (a NOTIFY wakes it at once). */
  pollIntervalMs?: number;
  /** How often the worker reports itself in `workers` (the Workers view, metrics, the wait bound). */
  reportIntervalMs?: number;
};

export type WorkerPoolDeps = Omit<ShardDeps, 'worker'> & {
  /** A shard pg-boss gave up on (its retries spent): the alert rule `job_dead_lettered`. */
  onShardGivenUp?: (shard: ShardKey, reason: string) => void;
};

type Slot = { busy: boolean; handBack: boolean; wake?: () => void };

/**
 * The workers of one process: `slots` loops that each take one shard job at a time from pg-boss
 * and execute it (shard-executor.ts), a loop that settles shards pg-boss gave up on, and a report
 * of this worker in `workers` every few seconds. Idle slots sleep until a NOTIFY on `kiln_work`
 * (sent in the transaction that queues work, by any process) or their poll interval. While the
 * global pause is on, no slot takes new work.
 */
export class WorkerPool {
  readonly id = randomUUID();
  readonly name = `${os.hostname()}:${process.pid}`;
  readonly #deps: WorkerPoolDeps;
  readonly #options: Required<WorkerPoolOptions>;
  readonly #slots: Slot[] = [];
  readonly #loops: Promise<void>[] = [];
  #state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  #report?: NodeJS.Timeout;
  #unlisten?: () => Promise<void>;
  #pause: GlobalPause;
  #shardsDone = 0;
  #keysDone = 0;
  #recent: { at: number; keys: number }[] = [];
  /** Wakes the loop that settles given-up shards (its own idle slot). */
  readonly #deadLetters: Slot = { busy: false, handBack: false };

  constructor(deps: WorkerPoolDeps, options: WorkerPoolOptions) {
    if (!Number.isInteger(options.slots) || options.slots < 1) throw new TypeError(`Expected slots to be an integer from 1 and up, got ${options.slots}`);
    this.#deps = deps;
    this.#pause = new GlobalPause(deps.database);
    this.#options = { pollIntervalMs: 1000, reportIntervalMs: 2000, ...options };
  }

  readonly #limiters = new Set<ConcurrencyLimiter>();

  get busy(): number {
    return this.#slots.filter((s) => s.busy).length;
  }

  /** Loads in flight now over the shards this process runs. */
  loadsInFlight(): number {
    let n = 0;
    for (const limiter of this.#limiters) n += limiter.activeCount;
    return n;
  }

  /** Starts taking work. */
  async start(): Promise<void> {
    if (this.#state !== 'new') throw new Error(`The worker pool cannot start: it is ${this.#state}`);
    this.#state = 'running';
    await this.#reportNow();
    this.#report = setInterval(() => void this.#reportNow(), this.#options.reportIntervalMs);
    this.#report.unref();
    this.#unlisten = await this.#listen();
    for (let i = 0; i < this.#options.slots; i++) {
      const slot: Slot = { busy: false, handBack: false };
      this.#slots.push(slot);
      this.#loops.push(this.#run(slot));
    }
    this.#loops.push(this.#settleDeadShards());
    this.#deps.logger.info({ worker: this.name, slots: this.#options.slots }, `Worker ${this.name} takes shards (${this.#options.slots} at a time)`);
  }

  /** Wakes the idle slots (work was queued). They read the pause afresh before taking it. */
  wake(): void {
    this.#pause.refresh();
    for (const slot of this.#slots) slot.wake?.();
  }

  /**
   * Stops taking work. Shards in progress hand back what they have not listed yet (they end cut,
   * the rest queued for another worker) and save; after `graceMs` the pool stops waiting for them
   * (a shard that did not save is retried elsewhere once its job expires).
   */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.#state === 'stopped' || this.#state === 'stopping' || this.#state === 'new') {
      this.#state = 'stopped';
      return;
    }
    this.#state = 'stopping';
    for (const slot of [...this.#slots, this.#deadLetters]) {
      slot.handBack = true;
      slot.wake?.();
    }
    await settlesWithin(Promise.allSettled(this.#loops), graceMs);
    clearInterval(this.#report);
    await this.#unlisten?.().catch(() => {});
    this.#state = 'stopped';
    await this.#deps.database.db
      .update(workers)
      .set({ state: 'stopped', stoppedAt: sql`now()`, busy: 0, keysPerSecond: 0 })
      .where(eq(workers.id, this.id))
      .catch(() => {});
  }

  async #run(slot: Slot): Promise<void> {
    const { boss, logger } = this.#deps;
    let failures = 0;
    while (this.#state === 'running') {
      if (await this.#pause.isPaused()) {
        await this.#idle(slot, this.#options.pollIntervalMs);
        continue;
      }
      const fetchedAt = performance.now();
      let jobs: PgBoss.JobWithMetadata<ShardKey>[];
      try {
        jobs = await boss.fetch<ShardKey>(SHARD_QUEUE, { batchSize: 1, includeMetadata: true });
        failures = 0;
      } catch (error) {
        if (failures++ % 30 === 0) logger.warn({ err: error }, 'Taking work from the queue failed; retrying');
        await this.#idle(slot, Math.min(5000, 250 * failures));
        continue;
      }
      const job = jobs[0];
      if (!job) {
        await this.#idle(slot, this.#options.pollIntervalMs);
        continue;
      }
      slot.busy = true;
      try {
        const outcome = await executeShard(
          { ...this.#deps, worker: this.name },
          { id: job.id, data: job.data, retryCount: job.retryCount },
          {
            fetchedAt,
            handBack: () => slot.handBack,
            track: (limiter) => {
              this.#limiters.add(limiter);
              return () => this.#limiters.delete(limiter);
            },
          },
        );
        this.#count(outcome.keys);
        if (outcome.job === 'complete') await boss.complete(SHARD_QUEUE, job.id).catch(() => {});
      } catch (error) {
        logger.error({ err: error, job: job.data, attempt: job.retryCount }, 'A shard failed; pg-boss retries it');
        // Within its expiry the job is still this attempt's to fail (retried after its delay).
        if (performance.now() - fetchedAt < (job.expireInSeconds - 5) * 1000) {
          const message = (error as Error).message;
          await releaseShard(this.#deps.database, job.data, job.retryCount, `failed: ${message.slice(0, 300)}`).catch(() => {});
          await boss.fail(SHARD_QUEUE, job.id, { message }).catch(() => {});
        }
      } finally {
        slot.busy = false;
      }
    }
  }

  /** Shards pg-boss gave up on (their retries spent) end failed, and their runs go on. */
  async #settleDeadShards(): Promise<void> {
    const { boss, database, logger } = this.#deps;
    while (this.#state === 'running') {
      try {
        const jobs = await boss.fetch<ShardKey>(DEAD_SHARD_QUEUE, { batchSize: 10, includeMetadata: true });
        for (const job of jobs) {
          const reason = `gave up after ${job.retryLimit + 1} attempts (${describeOutput(job.output)})`;
          const end = await giveUpShard(database, boss, job.data, reason);
          logger.warn({ job: job.data, reason }, `A shard was given up: ${reason}`);
          this.#deps.onShardGivenUp?.(job.data, reason);
          if (end.kind === 'saved' && end.runEnded) await this.#announce(job.data.runId);
          await boss.complete(DEAD_SHARD_QUEUE, job.id).catch(() => {});
        }
      } catch (error) {
        logger.warn({ err: error }, 'Settling given-up shards failed; retrying');
      }
      await this.#idle(this.#deadLetters, 2000);
    }
  }

  async #announce(runId: string): Promise<void> {
    await announceRunEnded(this.#deps.database, runId, this.#deps.onRunFinished, this.#deps.logger);
  }


  #idle(slot: Slot, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        slot.wake = undefined;
        resolve();
      }
      slot.wake = done;
    });
  }

  async #listen(): Promise<() => Promise<void>> {
    const { database } = this.#deps;
    try {
      if (database.sql) {
        const { unlisten } = await database.sql.listen(WORK_CHANNEL, () => this.wake());
        return unlisten;
      }
      if (database.pglite) return await database.pglite.listen(WORK_CHANNEL, () => this.wake());
    } catch (error) {
      this.#deps.logger.warn({ err: error }, 'Listening for new work failed; idle workers poll instead');
    }
    return async () => {};
  }

  #count(keys: number): void {
    this.#shardsDone++;
    this.#keysDone += keys;
    this.#recent.push({ at: Date.now(), keys });
  }

  async #reportNow(): Promise<void> {
    const now = Date.now();
    this.#recent = this.#recent.filter((r) => now - r.at < 10_000);
    const keysPerSecond = this.#recent.reduce((n, r) => n + r.keys, 0) / 10;
    const values = {
      id: this.id,
      host: os.hostname(),
      pid: process.pid,
      slots: this.#options.slots,
      state: this.#state === 'running' ? 'running' : this.#state,
      busy: this.busy,
      shardsDone: this.#shardsDone,
      keysDone: this.#keysDone,
      keysPerSecond,
      lastSeenAt: new Date(),
    };
    await this.#deps.database.db
      .insert(workers)
      .values(values)
      .onConflictDoUpdate({ target: workers.id, set: { ...values, lastSeenAt: sql`now()` } })
      .catch((error: unknown) => this.#deps.logger.debug({ err: error }, 'Reporting the worker failed'));
  }
}

function describeOutput(output: unknown): string {
  const message = (output as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : 'its job kept expiring: its worker died or froze each time';
}

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const result = await Promise.race([promise.then(() => true as const), timeout]);
  clearTimeout(timer);
  return result;
}
