import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { MemoryCache } from '@/server/cache/memory-cache';
import type { Cache } from '@/server/cache/cache';
import { alertChannels, scheduleFires, schedules } from '@/server/db/schema';
import { startWebhookReceiver, validSignature } from '../../support/alert-receivers';
import { useTestDatabase } from '../../support/db';
import { fakeStrategy, sleep } from '../../support/fake-strategy';
import { startTestRuntime } from '../../support/runtime';

const SECRET = 'a-webhook-secret-of-enough-length';
const keys = Array.from({ length: 20 }, (_, i) => `fake:${i}`);

function switchableCache(): { cache: Cache; setDown: (down: boolean) => void } {
  const real = new MemoryCache({ maxBytes: 8 * 1024 * 1024 });
  let down = false;
  const cache = new Proxy(real, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      if (property === 'describe' || property === 'close') return value.bind(target);
      if (property === 'health') return async () => (down ? { ok: false, latencyMs: 0, error: 'connect ECONNREFUSED' } : { ok: true, latencyMs: 0 });
      return (...args: unknown[]) => (down ? Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6390')) : value.apply(target, args));
    },
  }) as Cache;
  return { cache, setDown: (d) => (down = d) };
}

describe('alerts across replicas', () => {
  it('three runtimes on one database deliver each alert once', async () => {
    const { database } = await useTestDatabase();
    const hook = await startWebhookReceiver();
    const { cache, setDown } = switchableCache();
    const env = { KILN_ALERT_RETRY_SECONDS: '1', KILN_ALERT_DOWN_SECONDS: '1' };
    const replicas = await Promise.all(
      ['a', 'b', 'c'].map((name) => startTestRuntime(database, { cache, owner: `replica-${name}:1`, strategies: [fakeStrategy({ keys, batch: true })], env })),
    );
    await database.db.insert(alertChannels).values({ name: 'hook', kind: 'webhook', url: hook.url, secret: SECRET });
    const tickAll = () => Promise.all(replicas.map((r) => r.alerts.evaluator.tick()));

    setDown(true);
    const failed = await replicas[0]!.warmer.startRun({ trigger: 'manual', triggeredBy: 'test', scope: { strategies: ['fake'] } });
    expect((await failed.done).status).toBe('failed');
    // Every replica's evaluator sees the failed run and the cache down, at the same moments.
    await tickAll();
    await sleep(1200);
    await tickAll();
    await tickAll();
    setDown(false);
    const good = await replicas[1]!.warmer.startRun({ trigger: 'manual', triggeredBy: 'test', scope: { strategies: ['fake'] } });
    expect((await good.done).status).toBe('succeeded');
    await tickAll();
    await tickAll();
    for (let i = 0; i < 100 && hook.received.length < 4; i++) await sleep(100);
    await sleep(2000);
    const seen = hook.received.map((p) => `${String(p.json.rule)} ${String(p.json.event)}`).sort();
    expect(seen).toEqual(['cache_down incident.opened', 'cache_down incident.resolved', 'run_failed incident.opened', 'run_failed incident.resolved']);
    expect(hook.received.every((p) => validSignature(p, SECRET))).toBe(true);
    expect(new Set(hook.received.map((p) => p.json.eventId)).size).toBe(4);
    const messages = await database.rows<{ n: number; delivered: number }>(sql`select count(*)::int as n, count(*) filter (where status = 'delivered')::int as delivered from alert_messages`);
    expect(messages).toEqual([{ n: 4, delivered: 4 }]);
    const incidents = await database.rows<{ rule: string; status: string }>(sql`select rule, status from alert_incidents order by rule`);
    expect(incidents).toEqual([{ rule: 'cache_down', status: 'closed' }, { rule: 'run_failed', status: 'closed' }]);
  }, 120_000);

  it('a schedule slot that no process fires raises a missed-slot alert after the grace period, and its next fired slot closes it', async () => {
    const { database } = await useTestDatabase();
    const hook = await startWebhookReceiver();
    // No scheduler runs in test runtimes: nobody fires the slots.
    const runtime = await startTestRuntime(database, { env: { KILN_ALERT_RETRY_SECONDS: '1', KILN_ALERT_SLOT_GRACE_SECONDS: '10' } });
    await database.db.insert(alertChannels).values({ name: 'hook', kind: 'webhook', url: hook.url, secret: SECRET });
    const threeMinutesAgo = new Date(Date.now() - 3 * 60_000);
    const [schedule] = await database.db
      .insert(schedules)
      .values({ name: 'every minute', cron: '* * * * *', scope: { all: true }, createdAt: threeMinutesAgo, updatedAt: threeMinutesAgo })
      .returning();
    // A schedule created just now has no slot past its grace yet: nothing.
    const [fresh] = await database.db.insert(schedules).values({ name: 'fresh', cron: '* * * * *', scope: { all: true } }).returning();
    await runtime.alerts.evaluator.tick();
    for (let i = 0; i < 100 && hook.received.length < 1; i++) await sleep(100);
    await sleep(1000);
    expect(hook.received).toHaveLength(1);
    expect(hook.received[0]!.json).toMatchObject({ event: 'incident.opened', rule: 'schedule_missed', scheduleId: schedule!.id, subject: `schedule:${schedule!.id}` });
    expect(String(hook.received[0]!.json.text)).toContain('no process fired it');
    await runtime.alerts.evaluator.tick();
    await sleep(1000);
    expect(hook.received).toHaveLength(1);

    const minute = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    await database.db.insert(scheduleFires).values({ scheduleId: schedule!.id, slotAt: minute, outcome: 'started', claimedBy: 'test' });
    await runtime.alerts.evaluator.tick();
    for (let i = 0; i < 100 && hook.received.length < 2; i++) await sleep(100);
    expect(hook.received[1]!.json).toMatchObject({ event: 'incident.resolved', rule: 'schedule_missed', scheduleId: schedule!.id });
    const open = await database.rows<{ subject: string }>(sql`select subject from alert_incidents where status = 'open'`);
    expect(open).toEqual([]);
    void fresh;
  }, 60_000);
});
