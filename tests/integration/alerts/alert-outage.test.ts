import { sql } from 'drizzle-orm';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { AlertEvaluator } from '@/server/alerts/alert-evaluator';
import type { Database } from '@/server/db/client';
import { alertChannels } from '@/server/db/schema';
import { startWebhookReceiver } from '../../support/alert-receivers';
import { useTestDatabase } from '../../support/db';
import { fakeStrategy, sleep } from '../../support/fake-strategy';
import { startTestRuntime } from '../../support/runtime';

/** The database as a process cut off from Postgres sees it while `down`: every query fails. */
function switchableDatabase(database: Database) {
  let down = false;
  const refuse = () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
  const db = new Proxy(database.db, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (down) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
        return value.apply(target, args);
      };
    },
  });
  const proxied: Database = {
    ...database,
    db,
    health: () => (down ? Promise.resolve({ ok: false as const, latencyMs: 0, error: 'ECONNREFUSED' }) : database.health()),
    rows: (query) => (down ? refuse() : database.rows(query)),
  };
  return { database: proxied, setDown: (d: boolean) => (down = d) };
}

describe('alerts through a database outage', () => {
  it('keeps conditions found while Postgres is unreachable in memory and writes them, and the outage itself, when it answers', async () => {
    const { database } = await useTestDatabase();
    const hook = await startWebhookReceiver();
    const runtime = await startTestRuntime(database, { strategies: [fakeStrategy({ keys: ['k:1', 'k:2'], value: () => { throw new Error('shop database timeout'); } })], env: { KILN_ALERT_RETRY_SECONDS: '1' } });
    await database.db.insert(alertChannels).values({ name: 'hook', kind: 'webhook', url: hook.url, secret: 'a-webhook-secret-of-enough-length' });
    const cut = switchableDatabase(database);
    const evaluator = new AlertEvaluator({ database: cut.database, boss: runtime.boss, cache: runtime.cache, logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), config: { ...runtime.config, alerts: { ...runtime.config.alerts, downSeconds: 1 } }, wake: () => runtime.alerts.delivery?.wake() });

    const run = await runtime.warmer.startRun({ trigger: 'manual', triggeredBy: 'test', scope: { strategies: ['fake'] } });
    const summary = await run.done;
    expect(summary.status).toBe('failed');
    // Wait for the runtime's own evaluation, then forget it: this evaluator must find it alone.
    for (let i = 0; i < 50 && hook.received.length === 0; i++) await sleep(100);
    await sleep(1000); // its delivery recorded
    await database.db.execute(sql`delete from alert_incidents`);
    hook.received.length = 0;

    cut.setDown(true);
    evaluator.afterRun(summary);
    await evaluator.tick();
    await sleep(1200);
    await evaluator.tick();
    expect(evaluator.pendingCount).toBe(1);
    expect(await database.rows(sql`select id from alert_incidents`)).toEqual([]);

    cut.setDown(false);
    await evaluator.tick();
    expect(evaluator.pendingCount).toBe(0);
    for (let i = 0; i < 100 && hook.received.length < 3; i++) await sleep(100);
    await sleep(1000);
    const events = hook.received.map((p) => `${String(p.json.rule)} ${String(p.json.event)}`).sort();
    expect(events).toEqual(['database_down incident.opened', 'database_down incident.resolved', 'run_failed incident.opened']);
    expect(hook.received.find((p) => p.json.rule === 'run_failed')!.json.runId).toBe(run.runId);
    const incidents = await database.rows<{ rule: string; status: string }>(sql`select rule, status from alert_incidents order by rule`);
    expect(incidents).toEqual([{ rule: 'database_down', status: 'closed' }, { rule: 'run_failed', status: 'open' }]);
  }, 60_000);
});
