import { sql } from 'drizzle-orm';
import type { Database } from '@/server/db/client';
import { alertChannels, runs } from '@/server/db/schema';
import type { StoredRunPlan } from '@/server/db/schema';
import type { Runtime } from '@/server/runtime';
import { type ReceivedPost, startWebhookReceiver, validSignature } from './alert-receivers';
import { sleep } from './fake-strategy';

export const ALERT_SECRET = 'a-webhook-secret-of-enough-length';

/**
 * A real webhook receiver on loopback and one unfiltered channel to it (every rule, strategy and
 * severity: an unexpected alert shows up too), with helpers to evaluate and read what arrived.
 */
export async function alertScenario(database: Database, runtime: Runtime) {
  const hook = await startWebhookReceiver();
  await database.db.insert(alertChannels).values({ name: 'hook', kind: 'webhook', url: hook.url, secret: ALERT_SECRET });
  let seen = 0;
  return {
    hook,
    /** One periodic evaluation, as the evaluator's timer runs it. */
    tick: () => runtime.alerts.evaluator.tick(),
    /**
     * The POSTs that arrived since the last call: waits for `count` of them, then a second more so a
     * duplicate would show, and checks every signature.
     */
    async next(count: number): Promise<ReceivedPost['json'][]> {
      for (let i = 0; i < 150 && hook.received.length < seen + count; i++) await sleep(100);
      await sleep(1000);
      const fresh = hook.received.slice(seen);
      seen = hook.received.length;
      if (!fresh.every((p) => validSignature(p, ALERT_SECRET))) throw new Error('a POST without a valid signature');
      return fresh.map((p) => p.json);
    },
  };
}

/** A run as Kiln records it, inserted with the given age and outcome (the rules read only the runs table). */
export async function insertRun(
  database: Database,
  o: { strategies?: string[]; profile?: StoredRunPlan['profile']; status?: 'running' | 'succeeded' | 'failed'; ageMs: number; durationMs?: number; concurrency?: number },
): Promise<string> {
  const createdAt = new Date(Date.now() - o.ageMs);
  const status = o.status ?? 'running';
  const plan: StoredRunPlan = { strategies: [], batchSize: 100, loadTimeoutMs: 10_000, timeoutSeconds: 3600, shardKeys: 10_000, shardSeconds: 300, ...(o.profile ? { profile: o.profile } : {}) };
  const [row] = await database.db
    .insert(runs)
    .values({
      trigger: 'manual',
      triggeredBy: 'test',
      scope: { strategies: o.strategies ?? ['fake'] },
      strategies: o.strategies ?? ['fake'],
      concurrency: o.concurrency ?? 10,
      owner: 'test:1',
      status,
      plan,
      createdAt,
      finishedAt: status === 'running' ? null : new Date(createdAt.getTime() + (o.durationMs ?? 0)),
      durationMs: status === 'running' ? null : (o.durationMs ?? null),
    })
    .returning({ id: runs.id });
  return row!.id;
}

export async function openIncidents(database: Database): Promise<{ rule: string; subject: string }[]> {
  return database.rows(sql`select rule, subject from alert_incidents where status = 'open' order by rule, subject`);
}
