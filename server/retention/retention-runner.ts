import 'server-only';
import { BackgroundWork } from '../background-work';
import { withTryAdvisoryLock } from '../db/advisory-lock';
import type { Database } from '../db/client';
import type { Logger } from '../logger';
import { type PruneReport, pruneOnce } from './prune';

/** Any fixed number no other advisory lock of Kiln's uses (the migration lock is 7_283_501). */
export const RETENTION_LOCK_ID = 7_283_511;

export type RetentionRunnerDeps = {
  database: Database;
  logger: Logger;
  timezone: string;
  batchRows: number;
  /** Minutes between passes; 0: never on its own (runNow still works). */
  intervalMinutes: number;
  /** host:pid, shown on the Settings page. */
  owner: string;
};

/**
 * Prunes by the retention policies on an interval. Every server and worker process runs one; the
 * Postgres advisory lock lets one pass run at a time across all of them (the others skip theirs).
 */
export class RetentionRunner {
  readonly #work = new BackgroundWork();
  #running: Promise<unknown> | null = null;

  constructor(private readonly deps: RetentionRunnerDeps) {}

  /** One pass now, unless another process (or this one) is pruning: then `skipped`. */
  async runNow(now?: Date): Promise<{ skipped: true } | { skipped: false; report: PruneReport }> {
    if (this.#running) return { skipped: true };
    const { database, logger } = this.deps;
    const work = withTryAdvisoryLock(database, RETENTION_LOCK_ID, () =>
      pruneOnce(database, { timezone: this.deps.timezone, batchRows: this.deps.batchRows, now, by: this.deps.owner, shouldStop: () => this.#work.stopped }),
    );
    this.#running = this.#work.track(work);
    try {
      const outcome = await work;
      if (outcome.skipped) return { skipped: true };
      const removed = Object.values(outcome.result.removed).reduce((a, b) => a + b, 0);
      if (removed > 0 || outcome.result.rolledUpDays > 0) {
        logger.info({ removed: outcome.result.removed, rolledUpDays: outcome.result.rolledUpDays, durationMs: outcome.result.durationMs }, 'Retention: pruned old rows');
      }
      return { skipped: false, report: outcome.result };
    } finally {
      this.#running = null;
    }
  }

  /** The first pass a few minutes after the start (not while the process warms up), then every interval. */
  start(firstAfterMs = 5 * 60_000): void {
    if (this.deps.intervalMinutes <= 0) return;
    const intervalMs = this.deps.intervalMinutes * 60_000;
    this.#work.every(Math.min(firstAfterMs, intervalMs), intervalMs, () =>
      this.runNow().catch((error: unknown) => this.deps.logger.warn({ err: error }, 'Retention: the prune failed (the next pass tries again)')),
    );
  }

  /** Stops the timer; a pass under way ends after its current batch (the next pass goes on from there). */
  stop(): Promise<void> {
    return this.#work.stop();
  }
}
