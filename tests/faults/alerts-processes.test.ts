import fs from 'node:fs';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { DeliveryView } from '@/lib/api/alerts';
import { type AppProcess, api, apiToken, startApp } from '../support/app-process';
import { startWebhookReceiver, validSignature } from '../support/alert-receivers';
import { useTestDatabase } from '../support/db';
import { sleep } from '../support/fake-strategy';
import { startOwnRedis } from '../support/own-servers';
import { figure } from '../support/scenario-reporter';

const SECRET = 'a-webhook-secret-of-enough-length';

async function waitFor<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, ms: number): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > until) throw new Error(`Timed out after ${ms} ms waiting for ${what}: ${JSON.stringify(value)}`);
    await sleep(200);
  }
}

/**
 * Which of the apps holds the loopback connection whose local port is `port` (the sender's end of a
 * POST the receiver holds): its socket's inode from /proc/net/tcp, then the process whose file
 * descriptors include it.
 */
function appOwningConnection(apps: AppProcess[], port: number): AppProcess | undefined {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  const line = fs
    .readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .find((f) => f[1]?.endsWith(`:${hex}`));
  const inode = line?.[9];
  if (!inode || inode === '0') return undefined;
  return apps.find((app) => {
    const dir = `/proc/${app.process.pid}/fd`;
    try {
      return fs.readdirSync(dir).some((fd) => {
        try {
          return fs.readlinkSync(`${dir}/${fd}`) === `socket:[${inode}]`;
        } catch {
          return false;
        }
      });
    } catch {
      return false;
    }
  });
}

/**
 * Two real Kiln processes (the built app) on one Postgres, a cache (an own Redis) that dies, and a
 * real webhook receiver on loopback that is first down, then slow: the process sending the alert
 * is SIGKILLed mid-send. The alert still arrives (at least once: the killed process's copy may
 * have reached the receiver), every copy with the same event id, and the delivery log the
 * survivor serves shows the attempts.
 */
describe('alerts across real processes under faults', () => {
  it('a run failing on a dead cache, the receiver down, the sending process SIGKILLed: the alert arrives, one event id, the attempts logged', async (ctx) => {
    const redis = await startOwnRedis();
    const { database, url } = await useTestDatabase({ shop: true });
    const hook = await startWebhookReceiver();
    const env = {
      DATABASE_URL: url,
      REDIS_URL: redis.url,
      CACHE_KEY_PREFIX: 'alerts-fault:',
      KILN_ALERT_RETRY_SECONDS: '1',
      KILN_ALERT_RETRY_LIMIT: '12',
      KILN_ALERT_EVALUATE_SECONDS: '2',
      LOG_LEVEL: 'warn',
    };
    const started = Date.now();
    // One at a time: the first creates the admin, the second finds it.
    const apps: AppProcess[] = [await startApp(env, ctx.onTestFinished)];
    apps.push(await startApp(env, ctx.onTestFinished));
    const admin = await apiToken(apps[0]!, 'admin');
    const created = await api(apps[1]!, admin, 'POST', '/api/alert-channels', { name: 'ops', kind: 'webhook', url: hook.url, secret: SECRET, rules: ['run_failed'] });
    expect(created.status).toBe(201);
    const channelId = created.body.channel.id as number;

    await hook.down();
    await redis.kill();
    const trigger = await api(apps[0]!, admin, 'POST', '/api/runs', { scope: { strategies: ['hot_products'] } });
    expect(trigger.status).toBe(202);
    const runId = trigger.body.runId as string;
    await waitFor('the run to fail', async () => (await database.rows<{ status: string }>(sql`select status from runs where id = ${runId}::uuid`))[0]?.status, (s) => s === 'failed', 60_000);

    // The receiver is down: attempts fail and are logged, and retried with backoff.
    await waitFor('two failed attempts', async () => (await database.rows<{ n: number }>(sql`select count(*)::int as n from alert_deliveries where channel_id = ${channelId} and not ok`))[0]!.n, (n) => n >= 2, 30_000);
    expect(hook.received).toHaveLength(0);

    // Back up, but slow: the next attempt reaches it and waits for the answer; its sender is killed.
    hook.hold();
    await hook.up();
    const first = await waitFor('the POST of the next attempt', async () => hook.received[0], (p) => p !== undefined, 30_000);
    const sender = appOwningConnection(apps, first!.remotePort);
    expect(sender, 'the process holding the connection').toBeDefined();
    sender!.process.kill('SIGKILL');
    await new Promise((resolve) => (sender!.process.exitCode !== null || sender!.process.signalCode !== null ? resolve(null) : sender!.process.once('exit', resolve)));
    const killedAt = Date.now();
    hook.release();
    const survivor = apps.find((a) => a !== sender)!;

    // pg-boss expires the killed process's job (60 s) and the survivor retries it: it arrives again.
    await waitFor('the retried POST', async () => hook.received.length, (n) => n >= 2, 100_000);
    await sleep(2000);
    const posts = hook.received;
    expect(posts.every((p) => validSignature(p, SECRET))).toBe(true);
    expect(new Set(posts.map((p) => p.json.eventId)).size).toBe(1);
    expect(posts.map((p) => p.headers['x-kiln-event-id'])).toEqual(posts.map((p) => p.json.eventId));
    expect(posts[0]!.json).toMatchObject({ event: 'incident.opened', rule: 'run_failed', runId, strategy: 'hot_products', severity: 'critical' });
    expect(posts.every((p) => p.body === posts[0]!.body)).toBe(true);

    // One incident, one message, delivered; the log (as the survivor's Alerts page shows it) has the
    // failed attempts and the one that succeeded, by the survivor, numbered without a gap.
    const messages = await database.rows<{ status: string; event_id: string }>(sql`select status, event_id::text from alert_messages where channel_id = ${channelId}`);
    expect(messages).toEqual([{ status: 'delivered', event_id: posts[0]!.json.eventId }]);
    const overview = await api(survivor, admin, 'GET', '/api/alerts');
    expect(overview.status).toBe(200);
    expect(overview.body.open.map((i: { rule: string }) => i.rule)).toContain('run_failed');
    const log = (overview.body.deliveries as DeliveryView[]).filter((d) => d.channelId === channelId).sort((a, b) => a.attempt - b.attempt);
    expect(log.length).toBeGreaterThanOrEqual(3);
    expect(log.map((d) => d.attempt)).toEqual(log.map((_, i) => i + 1));
    expect(log.slice(0, -1).every((d) => !d.ok && d.statusCode === null && d.error)).toBe(true);
    expect(log.at(-1)).toMatchObject({ ok: true, statusCode: 200, eventId: posts[0]!.json.eventId });
    const [lastWorker] = await database.rows<{ worker: string }>(sql`select worker from alert_deliveries where channel_id = ${channelId} and ok`);
    expect(lastWorker!.worker).toMatch(new RegExp(`(^|:)${survivor.process.pid}$`));

    figure(ctx.task, 'copies', posts.length);
    figure(ctx.task, 'attempts', log.length);
    figure(ctx.task, 'redeliveredAfterKillS', ((posts[1]!.at - killedAt) / 1000).toFixed(1));
    figure(ctx.task, 'totalS', ((Date.now() - started) / 1000).toFixed(0));
  }, 240_000);
});
