import 'server-only';
import { eq, sql } from 'drizzle-orm';
import type PgBoss from 'pg-boss';
import type { AlertPayload } from '@/lib/api/alerts';
import type { SmtpConfig } from '../config';
import type { Database } from '../db/client';
import { alertChannels, alertDeliveries, alertMessages } from '../db/schema';
import type { Logger } from '../logger';
import { ALERT_QUEUE, ensureQueue } from '../warmup/job-queue';
import { ALERT_CHANNEL, type DeliveryJob } from './incidents';
import { sendToChannel } from './senders';

export type AlertDeliveryDeps = {
  database: Database;
  boss: PgBoss;
  logger: Logger;
  smtp: SmtpConfig | null;
  /** This process, in the delivery log. */
  worker: string;
  pollIntervalMs?: number;
  /** Counts each attempt (metrics). */
  onAttempt?: (channelKind: string, ok: boolean) => void;
};

/**
 * Delivers the outbox: a loop that takes `alert-delivery` jobs from pg-boss (any process may run
 * one; pg-boss hands a job to one of them) and sends each message to its channel. A message already
 * delivered is not sent again (a job retried after its worker died past the send); a failed send
 * fails the job, and pg-boss retries it with backoff. Every attempt is logged in alert_deliveries.
 */
export class AlertDelivery {
  readonly #deps: AlertDeliveryDeps;
  #state: 'new' | 'running' | 'stopped' = 'new';
  #loop?: Promise<void>;
  #wake?: () => void;
  #unlisten?: () => Promise<void>;

  constructor(deps: AlertDeliveryDeps) {
    this.#deps = deps;
  }

  async start(): Promise<void> {
    if (this.#state !== 'new') return;
    this.#state = 'running';
    // A database upgraded before this queue existed gets it here (pg-boss drops jobs of unknown queues).
    await ensureQueue(this.#deps.boss, ALERT_QUEUE, { name: ALERT_QUEUE, policy: 'standard' }).catch((error: unknown) => this.#deps.logger.warn({ err: error }, 'Could not create the alert-delivery queue'));
    this.#unlisten = await this.#listen();
    this.#loop = this.#run();
  }

  /** Wakes the loop (messages were queued). */
  wake(): void {
    this.#wake?.();
  }

  async stop(): Promise<void> {
    if (this.#state !== 'running') {
      this.#state = 'stopped';
      return;
    }
    this.#state = 'stopped';
    this.#wake?.();
    await this.#loop;
    await this.#unlisten?.().catch(() => {});
  }

  async #run(): Promise<void> {
    const { boss, logger } = this.#deps;
    let failures = 0;
    while (this.#state === 'running') {
      let jobs: PgBoss.JobWithMetadata<DeliveryJob>[] = [];
      try {
        jobs = await boss.fetch<DeliveryJob>(ALERT_QUEUE, { batchSize: 5, includeMetadata: true });
        failures = 0;
      } catch (error) {
        if (failures++ % 30 === 0) logger.warn({ err: error }, 'Taking alert deliveries failed; retrying');
      }
      for (const job of jobs) await this.#deliver(job);
      if (jobs.length === 0) await this.#idle(failures ? Math.min(5000, 250 * failures) : (this.#deps.pollIntervalMs ?? 1000));
    }
  }

  async #deliver(job: PgBoss.JobWithMetadata<DeliveryJob>): Promise<void> {
    const { boss, logger } = this.#deps;
    try {
      const outcome = await deliverMessage(this.#deps, job.data.messageId, job.retryCount, job.retryCount >= job.retryLimit);
      if (outcome.ok) await boss.complete(ALERT_QUEUE, job.id);
      else await boss.fail(ALERT_QUEUE, job.id, { message: outcome.error });
    } catch (error) {
      // The database went away mid-delivery: the job expires and is retried (at least once).
      logger.warn({ err: error, messageId: job.data.messageId }, 'An alert delivery could not be recorded; it will be retried');
      await boss.fail(ALERT_QUEUE, job.id, { message: (error as Error).message }).catch(() => {});
    }
  }

  #idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.#wake = undefined;
        resolve();
      }
      this.#wake = done;
    });
  }

  async #listen(): Promise<() => Promise<void>> {
    const { database } = this.#deps;
    try {
      if (database.sql) return (await database.sql.listen(ALERT_CHANNEL, () => this.wake())).unlisten;
      if (database.pglite) return await database.pglite.listen(ALERT_CHANNEL, () => this.wake());
    } catch (error) {
      this.#deps.logger.warn({ err: error }, 'Listening for alerts failed; the delivery loop polls instead');
    }
    return async () => {};
  }
}

/**
 * One attempt at one message: sends it unless it was delivered already, logs the attempt, and
 * records the outcome on the message (`failed` once the last retry fails).
 */
export async function deliverMessage(deps: Pick<AlertDeliveryDeps, 'database' | 'smtp' | 'worker' | 'logger' | 'onAttempt'>, messageId: string, retryCount: number, lastAttempt: boolean): Promise<{ ok: true } | { ok: false; error: string }> {
  const { database } = deps;
  const [row] = await database.db
    .select({ message: alertMessages, channel: alertChannels })
    .from(alertMessages)
    .innerJoin(alertChannels, eq(alertChannels.id, alertMessages.channelId))
    .where(eq(alertMessages.id, messageId));
  // Its channel was deleted (the message with it), or an earlier attempt delivered it.
  if (!row || row.message.status === 'delivered') return { ok: true };
  const attempt = row.message.attempts + 1;
  const result = await sendToChannel(row.channel, row.message.payload as AlertPayload, deps.smtp);
  deps.onAttempt?.(row.channel.kind, result.ok);
  await database.db.transaction(async (tx) => {
    await tx.insert(alertDeliveries).values({
      messageId,
      channelId: row.channel.id,
      attempt,
      ok: result.ok,
      statusCode: result.statusCode,
      latencyMs: result.latencyMs,
      error: result.error,
      worker: deps.worker,
    });
    await tx
      .update(alertMessages)
      .set({
        attempts: sql`${alertMessages.attempts} + 1`,
        status: result.ok ? 'delivered' : lastAttempt ? 'failed' : 'pending',
        deliveredAt: result.ok ? sql`now()` : null,
        lastError: result.error,
      })
      .where(eq(alertMessages.id, messageId));
  });
  const log = { channel: row.channel.name, kind: row.channel.kind, event: row.message.event, eventId: row.message.eventId, attempt, retryCount, statusCode: result.statusCode, latencyMs: result.latencyMs };
  if (result.ok) deps.logger.info(log, `Alert delivered to ${row.channel.name}`);
  else deps.logger.warn({ ...log, error: result.error }, `Alert delivery to ${row.channel.name} failed (attempt ${attempt})${lastAttempt ? ': giving up' : ''}`);
  return result.ok ? { ok: true } : { ok: false, error: result.error ?? 'failed' };
}
