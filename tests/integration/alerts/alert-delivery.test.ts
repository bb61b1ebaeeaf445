import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { MemoryCache } from '@/server/cache/memory-cache';
import type { Cache } from '@/server/cache/cache';
import type { Database } from '@/server/db/client';
import { alertChannels } from '@/server/db/schema';
import type { Runtime } from '@/server/runtime';
import { startSmtpReceiver, startWebhookReceiver, validSignature } from '../../support/alert-receivers';
import { useTestDatabase } from '../../support/db';
import { fakeStrategy, sleep } from '../../support/fake-strategy';
import { startTestRuntime } from '../../support/runtime';

const SECRET = 'a-webhook-secret-of-enough-length';

/** A cache that refuses every command while `down` is set, as an unreachable Redis does. */
function switchableCache(): { cache: Cache; setDown: (down: boolean) => void } {
  const real = new MemoryCache({ maxBytes: 8 * 1024 * 1024 });
  let down = false;
  const cache = new Proxy(real, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      if (property === 'describe' || property === 'close') return value.bind(target);
      if (property === 'health') return async () => (down ? { ok: false, latencyMs: 0, error: 'connect ECONNREFUSED 127.0.0.1:6390' } : { ok: true, latencyMs: 0 });
      return (...args: unknown[]) => {
        if (down) return Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6390'));
        return value.apply(target, args);
      };
    },
  }) as Cache;
  return { cache, setDown: (d) => (down = d) };
}

async function addChannels(database: Database, webhookUrl: string) {
  await database.db.insert(alertChannels).values([
    { name: 'ops webhook', kind: 'webhook', url: webhookUrl, secret: SECRET },
    { name: 'ops email', kind: 'email', recipients: ['oncall@shop.test'] },
  ]);
}

async function waitFor<T>(what: string, read: () => T | Promise<T>, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await sleep(100);
  }
}

const keys = Array.from({ length: 20 }, (_, i) => `fake:${i}`);

async function runOnce(runtime: Runtime) {
  const run = await runtime.warmer.startRun({ trigger: 'manual', triggeredBy: 'test', scope: { strategies: ['fake'] } });
  return { runId: run.runId, summary: await run.done };
}

describe('alert delivery to real receivers', () => {
  it('a run failing on an unreachable cache sends one signed webhook and one email; the next good run one recovery each', async () => {
    const { database } = await useTestDatabase();
    const hook = await startWebhookReceiver();
    const smtp = await startSmtpReceiver();
    const { cache, setDown } = switchableCache();
    const runtime = await startTestRuntime(database, { cache, strategies: [fakeStrategy({ keys, batch: true })], env: { ...smtp.env, KILN_ALERT_RETRY_SECONDS: '1' } });
    await addChannels(database, hook.url);

    setDown(true);
    const failed = await runOnce(runtime);
    expect(failed.summary.status).toBe('failed');
    await waitFor('the webhook POST', () => hook.received.length, (n) => n >= 1);
    await waitFor('the email', () => smtp.received.length, (n) => n >= 1);
    await sleep(1500); // nothing more arrives
    expect(hook.received).toHaveLength(1);
    expect(smtp.received).toHaveLength(1);
    const post = hook.received[0]!;
    expect(validSignature(post, SECRET)).toBe(true);
    expect(validSignature(post, SECRET + 'x')).toBe(false);
    expect(post.json).toMatchObject({ event: 'incident.opened', rule: 'run_failed', severity: 'critical', runId: failed.runId, strategy: 'fake' });
    expect(post.json.url).toBe(`http://localhost:3000/runs/${failed.runId}`);
    expect(post.headers['x-kiln-event-id']).toBe(post.json.eventId);
    expect(typeof post.json.occurredAt).toBe('string');
    expect(smtp.received[0]!.to).toEqual(['oncall@shop.test']);
    expect(smtp.received[0]!.raw).toContain(failed.runId);
    expect(/^X-Kiln-Event-Id: (.*)$/im.exec(smtp.received[0]!.raw)?.[1]?.trim()).toBe(post.json.eventId);

    // The database says the same: one open incident, two delivered messages, one attempt each.
    const incidents = await database.rows<{ rule: string; status: string; subject: string }>(sql`select rule, status, subject from alert_incidents order by id`);
    expect(incidents).toEqual([{ rule: 'run_failed', status: 'open', subject: 'strategy:fake' }]);
    const messages = await database.rows<{ status: string; attempts: number }>(sql`select status, attempts from alert_messages`);
    expect(messages).toEqual([{ status: 'delivered', attempts: 1 }, { status: 'delivered', attempts: 1 }]);

    // A second failing run of the same strategy: the incident is already open, nothing is sent.
    const again = await runOnce(runtime);
    expect(again.summary.status).toBe('failed');
    await sleep(1500);
    expect(hook.received).toHaveLength(1);

    setDown(false);
    const good = await runOnce(runtime);
    expect(good.summary.status).toBe('succeeded');
    await waitFor('the recovery POST', () => hook.received.length, (n) => n >= 2);
    await waitFor('the recovery email', () => smtp.received.length, (n) => n >= 2);
    await sleep(1500);
    expect(hook.received).toHaveLength(2);
    expect(smtp.received).toHaveLength(2);
    const recovery = hook.received[1]!;
    expect(validSignature(recovery, SECRET)).toBe(true);
    expect(recovery.json).toMatchObject({ event: 'incident.resolved', rule: 'run_failed', runId: good.runId, incidentId: post.json.incidentId });
    expect(recovery.json.eventId).not.toBe(post.json.eventId);
    expect(smtp.received[1]!.subject).toContain('Resolved');
    const closed = await database.rows<{ status: string }>(sql`select status from alert_incidents`);
    expect(closed).toEqual([{ status: 'closed' }]);
  });

  it('a receiver down for 30 s gets the alert once, late, and the delivery log shows the failed attempts', async () => {
    const { database } = await useTestDatabase();
    const hook = await startWebhookReceiver();
    const { cache, setDown } = switchableCache();
    const runtime = await startTestRuntime(database, { cache, strategies: [fakeStrategy({ keys, batch: true })], env: { KILN_ALERT_RETRY_SECONDS: '1', KILN_ALERT_RETRY_LIMIT: '12' } });
    const [channel] = await database.db.insert(alertChannels).values({ name: 'hook', kind: 'webhook', url: hook.url, secret: SECRET }).returning();
    await hook.down();
    const downAt = Date.now();
    setDown(true);
    const failed = await runOnce(runtime);
    expect(failed.summary.status).toBe('failed');
    await sleep(30_000 - (Date.now() - downAt));
    expect(hook.received).toHaveLength(0);
    await hook.up();
    const upAt = Date.now();
    await waitFor('the late POST', () => hook.received.length, (n) => n >= 1, 60_000);
    await sleep(2000);
    expect(hook.received).toHaveLength(1);
    expect(hook.received[0]!.at).toBeGreaterThanOrEqual(upAt);
    expect(hook.received[0]!.json).toMatchObject({ event: 'incident.opened', runId: failed.runId });
    const log = await database.rows<{ attempt: number; ok: boolean; statusCode: number | null; error: string | null; latencyMs: number }>(sql`
      select attempt, ok, status_code as "statusCode", error, latency_ms as "latencyMs" from alert_deliveries where channel_id = ${channel!.id} order by attempt`);
    expect(log.length).toBeGreaterThanOrEqual(3);
    expect(log.slice(0, -1).every((a) => !a.ok && a.statusCode === null && /fetch failed|ECONNREFUSED/.test(a.error ?? ''))).toBe(true);
    expect(log.at(-1)).toMatchObject({ ok: true, statusCode: 200, error: null });
    expect(log.map((a) => a.attempt)).toEqual(log.map((_, i) => i + 1));
    void runtime;
  }, 120_000);
});
