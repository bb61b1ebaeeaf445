import { sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { loadProductsJson } from '@/server/contexts/catalog/load-products-json';
import { type Database, openPostgres } from '@/server/db/client';
import { type AppProcess, api, apiToken, startApp } from '../support/app-process';
import { sleep } from '../support/fake-strategy';
import { startOwnPostgres, startOwnRedis } from '../support/own-servers';
import { figure } from '../support/scenario-reporter';

const MINUTE = 60_000;
/** Slots of the every-minute schedule the scenario watches: t0 … t0 + 5 min. */
const SLOTS = 6;
/** The restarts, after t0: Redis in minute 2, Postgres in minute 4 (mid-minute, see the README's soak note). */
const REDIS_RESTART_AT = 2 * MINUTE + 20_000;
const POSTGRES_RESTART_AT = 4 * MINUTE + 20_000;
/** Traffic runs until 80 s after the Postgres restart: the 60 s recovery bound plus two windows. */
const TRAFFIC_UNTIL = POSTGRES_RESTART_AT + 80_000;
const WINDOW_MS = 10_000;
/** An API read with no answer after this long counts as an error with this latency. */
const API_TIMEOUT_MS = 5_000;

type Sample = { at: number; ms: number; ok: boolean };

/** Progress on stderr, so a soak that stalls shows where. */
const startedAt = Date.now();
const progress = (what: string) => process.stderr.write(`[soak +${Math.round((Date.now() - startedAt) / 1000)}s] ${what}\n`);
type Edit = { key: string; value: string | number; at: number; status: number };

function p95(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)]!;
}

/** Loops `step` every `everyMs` until `until` (epoch ms); one step at a time, errors are the step's to record. */
async function paced(until: number, everyMs: number, step: (i: number) => Promise<void>): Promise<number> {
  let i = 0;
  while (Date.now() < until) {
    const next = Date.now() + everyMs;
    // A step stuck past 15 s (a client waiting on a server that is away) does not stall the loop.
    await Promise.race([step(i++), sleep(15_000)]);
    await sleep(Math.max(0, next - Date.now()));
  }
  return i;
}

/**
 * The windows after a restart: p95 of each 10 s window from the restart on, and when the API was
 * back, i.e. the start of the first window from which every window up to `horizonMs` is within the
 * bound and has no error.
 */
function recovery(samples: Sample[], restartAt: number, horizonMs: number, bound: number) {
  const windows: { p95: number; errors: number; n: number }[] = [];
  for (let from = restartAt; from < restartAt + horizonMs; from += WINDOW_MS) {
    const inside = samples.filter((s) => s.at >= from && s.at < from + WINDOW_MS);
    windows.push({ p95: p95(inside.map((s) => s.ms)), errors: inside.filter((s) => !s.ok).length, n: inside.length });
  }
  const good = (w: (typeof windows)[number]) => w.n > 0 && w.errors === 0 && w.p95 <= bound;
  let firstGood = windows.length;
  for (let i = windows.length - 1; i >= 0 && good(windows[i]!); i--) firstGood = i;
  return { windows, secondsToRecover: (firstGood * WINDOW_MS) / 1000 };
}

describe('three replicas on real minutes through a Redis and a Postgres restart', () => {
  it('every slot fires once, no run is left running, no accepted edit is lost, and API p95 is back to baseline within 60 s of each restart', async (ctx) => {
    const pg = await startOwnPostgres({ logical: true });
    const redisServer = await startOwnRedis();
    const url = await pg.createDatabase('kiln');
    const env = { DATABASE_URL: url, REDIS_URL: redisServer.url, SCHEDULER_ENABLED: 'true' };
    // The first replica migrates and seeds the demo shop (2,000 products); the others join it.
    const apps: AppProcess[] = [await startApp(env, ctx.onTestFinished)];
    for (let i = 0; i < 2; i++) apps.push(await startApp(env, ctx.onTestFinished));
    progress('three replicas ready');
    const database = await openPostgres(url, 4);
    ctx.onTestFinished(() => database.close());
    const operator = await apiToken(apps[0]!, 'operator');
    const shopReader = await apiToken(apps[0]!, 'shop_reader');

    // Only the test's schedule fires; the default ones stay as the operator's edit targets.
    await database.rows(sql`update schedules set enabled = false, updated_at = now()`);
    const [target] = await database.rows<{ id: number }>(sql`select id from schedules order by id limit 1`);
    const created = await api(apps[1]!, operator, 'POST', '/api/schedules', { name: 'Every minute', cron: '* * * * *', timezone: 'UTC', scope: { strategies: ['hot_products'] } });
    expect(created.status).toBe(201);
    const scheduleId = created.body.schedule.id as number;
    const productIds = (await database.rows<{ id: number }>(sql`select id from products where status = 'active' order by id`)).map((r) => r.id);
    await sleep(16_000); // every replica has reloaded its schedules (they poll every 5 s)
    const t0 = Math.ceil(Date.now() / MINUTE) * MINUTE;
    const until = t0 + TRAFFIC_UNTIL;
    progress(`t0 ${new Date(t0).toISOString()}; traffic until ${new Date(until).toISOString()}`);

    // The shop: reads through Redis, and on a miss from Postgres (one query, as its read path does), then cached.
    const shopRedis = new Redis(redisServer.url, { maxRetriesPerRequest: 1, commandTimeout: 1000 });
    shopRedis.on('error', () => {});
    const shopDb: Database = await openPostgres(url, 4);
    ctx.onTestFinished(async () => {
      shopRedis.disconnect();
      await shopDb.close();
    });
    const shop = { reads: 0, hits: 0, misses: 0, errors: 0 };
    const shopLoop = paced(until, 50, async (i) => {
      const id = productIds[(i * 7919) % productIds.length]!;
      const key = `Product:id:${id}`;
      try {
        const cached = await shopRedis.get(key).catch(() => null);
        if (cached !== null) shop.hits++;
        else {
          shop.misses++;
          const [json] = await loadProductsJson(shopDb, [id]);
          if (json) await shopRedis.set(key, json, 'EX', 300).catch(() => {});
        }
        shop.reads++;
      } catch {
        shop.errors++;
      }
    });

    // The API the dashboards and the shop's edge read, round-robin over the replicas, measured.
    const samples: Sample[] = [];
    const apiLoop = paced(until, 100, async (i) => {
      const app = apps[i % apps.length]!;
      const path = i % 2 === 0 ? `/api/shop/products/${productIds[(i * 31) % productIds.length]}` : '/api/schedules';
      const token = i % 2 === 0 ? shopReader : operator;
      const at = Date.now();
      const ok = await fetch(`${app.url}${path}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(API_TIMEOUT_MS) }).then(
        async (r) => (await r.arrayBuffer(), r.status === 200),
        () => false,
      );
      samples.push({ at, ms: Date.now() - at, ok });
    });

    // The operator: one edit every 2 s through any replica, each field given a value never sent before.
    const edits: Edit[] = [];
    const fields: { key: string; send: (n: number) => [string, Record<string, unknown>, string | number] }[] = [
      { key: 'schedule.name', send: (n) => [`/api/schedules/${target!.id}`, { name: `Nightly #${n}` }, `Nightly #${n}`] },
      { key: 'schedule.misfireGraceSeconds', send: (n) => [`/api/schedules/${target!.id}`, { misfireGraceSeconds: 600 + n }, 600 + n] },
      { key: 'strategy.ttlSeconds', send: (n) => ['/api/strategies/categories', { ttlSeconds: 14_400 + n }, 14_400 + n] },
      { key: 'strategy.priority', send: (n) => ['/api/strategies/categories', { priority: n }, n] },
      { key: 'settings.keyTimeoutMs', send: (n) => ['/api/settings', { keyTimeoutMs: 5_000 + n }, 5_000 + n] },
      { key: 'settings.runTimeoutSeconds', send: (n) => ['/api/settings', { runTimeoutSeconds: 3_600 + n }, 3_600 + n] },
    ];
    const editLoop = paced(until, 2_000, async (n) => {
      const field = fields[n % fields.length]!;
      const [path, body, value] = field.send(n + 1);
      const at = Date.now();
      const status = await fetch(`${apps[n % apps.length]!.url}${path}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      }).then(
        async (r) => (await r.arrayBuffer(), r.status),
        () => 0,
      );
      edits.push({ key: field.key, value, at, status });
    });

    // The restarts.
    let postgresStop = '';
    const restarts = (async () => {
      await sleep(t0 + REDIS_RESTART_AT - Date.now());
      progress('Redis: kill');
      await redisServer.kill();
      await sleep(2_000);
      await redisServer.start();
      progress('Redis: started again');
      await sleep(t0 + POSTGRES_RESTART_AT - Date.now());
      progress('Postgres: fast shutdown');
      const stopStarted = Date.now();
      // A fast shutdown once waited more than 20 s here (cause not pinned down, see the README): past 20 s, immediate.
      const how = await pg.stop({ timeoutMs: 20_000 });
      postgresStop = `${how} in ${((Date.now() - stopStarted) / 1000).toFixed(1)} s`;
      progress(`Postgres: stopped (${postgresStop})`);
      await sleep(5_000);
      await pg.start();
      progress('Postgres: started again');
    })();
    await Promise.all([shopLoop.then(() => progress('shop loop done')), apiLoop.then(() => progress('API loop done')), editLoop.then(() => progress('edit loop done')), restarts]);

    // The checks are soft: a failed one still leaves every figure in the summary.
    // Every slot of the window fired once (the last one is past: traffic ran 80 s beyond minute 4:20).
    const fires = await database.rows<{ slot: number; outcome: string }>(sql`
      select (extract(epoch from slot_at) * 1000)::float8 as slot, outcome from schedule_fires
      where schedule_id = ${scheduleId} and slot_at >= to_timestamp(${t0 / 1000}) and slot_at < to_timestamp(${(t0 + SLOTS * MINUTE) / 1000})
      order by slot_at`);
    expect.soft(fires.map((f) => f.slot)).toEqual(Array.from({ length: SLOTS }, (_, i) => t0 + i * MINUTE));
    expect.soft(fires.filter((f) => f.outcome !== 'started' && f.outcome !== 'skipped_overlap')).toEqual([]);

    progress(`fires: ${fires.map((f) => f.outcome).join('/')}`);
    // No run left running, after a grace for the last slot's run.
    const graceUntil = Date.now() + 90_000;
    let running: { id: string }[] = [];
    do {
      running = await database.rows<{ id: string }>(sql`select id::text as id from runs where status = 'running'`);
      if (running.length) await sleep(2_000);
    } while (running.length && Date.now() < graceUntil);
    expect.soft(running).toEqual([]);
    const runs = await database.rows<{ status: string; n: number }>(sql`
      select status, count(*)::int as n from runs where schedule_id = ${scheduleId} group by status order by status`);

    // No accepted edit lost: each field holds its last accepted value, or a value sent after it
    // whose answer was lost (an edit may commit and lose its reply in an outage; it is then the newer one).
    const [schedule] = await database.rows<{ name: string; grace: number }>(sql`select name, misfire_grace_seconds as grace from schedules where id = ${target!.id}`);
    const [strategy] = await database.rows<{ ttl: number; priority: number }>(sql`select ttl_seconds as ttl, priority from strategy_settings where strategy = 'categories'`);
    const [settings] = await database.rows<{ keyTimeoutMs: number; runTimeoutSeconds: number }>(sql`
      select key_timeout_ms as "keyTimeoutMs", run_timeout_seconds as "runTimeoutSeconds" from settings where id = 1`);
    const final: Record<string, string | number> = {
      'schedule.name': schedule!.name,
      'schedule.misfireGraceSeconds': schedule!.grace,
      'strategy.ttlSeconds': strategy!.ttl,
      'strategy.priority': strategy!.priority,
      'settings.keyTimeoutMs': settings!.keyTimeoutMs,
      'settings.runTimeoutSeconds': settings!.runTimeoutSeconds,
    };
    progress(`no run running: ${running.length === 0}`);
    const accepted = edits.filter((e) => e.status >= 200 && e.status < 300);
    for (const { key } of fields) {
      const ofField = edits.filter((e) => e.key === key);
      const lastAccepted = ofField.filter((e) => e.status >= 200 && e.status < 300).at(-1);
      expect.soft(lastAccepted, `no edit of ${key} was accepted`).toBeDefined();
      if (!lastAccepted) continue;
      const allowed = [lastAccepted.value, ...ofField.filter((e) => e.at > lastAccepted.at && e.status === 0).map((e) => e.value)];
      expect.soft(allowed, `${key}: accepted ${lastAccepted.value}, found ${final[key]}`).toContain(final[key]);
    }

    // API latency: the baseline is minute 0:15 to 2:15 (after the start-up, before the first restart).
    const baseline = samples.filter((s) => s.at >= t0 + 15_000 && s.at < t0 + REDIS_RESTART_AT - 5_000);
    // A request of the baseline may time out on a machine shared with other suites; more than 1% is a fault.
    const baselineErrors = baseline.filter((s) => !s.ok).length;
    expect.soft(baselineErrors).toBeLessThanOrEqual(baseline.length / 100);
    const baselineP95 = p95(baseline.map((s) => s.ms));
    // "Back to baseline": within twice the baseline p95, or 50 ms above it, whichever is larger: on a
    // 2-core machine shared with other suites a p95 of a few tens of ms moves by tens of ms on its own.
    const bound = Math.max(2 * baselineP95, baselineP95 + 50);
    const afterRedis = recovery(samples, t0 + REDIS_RESTART_AT, 90_000, bound);
    const afterPostgres = recovery(samples, t0 + POSTGRES_RESTART_AT, 80_000, bound);

    const windowsText = (r: ReturnType<typeof recovery>) => r.windows.map((w) => `${Math.round(w.p95)}${w.errors ? `(${w.errors}err)` : ''}`).join('/');
    figure(ctx.task, 'postgresStop', postgresStop);
    figure(ctx.task, 'baselineP95Ms', `${Math.round(baselineP95)} (${baseline.length} reads, ${baselineErrors} errors)`);
    figure(ctx.task, 'boundMs', Math.round(bound));
    figure(ctx.task, 'redisWindowsP95Ms', windowsText(afterRedis));
    figure(ctx.task, 'redisRecoverS', afterRedis.secondsToRecover);
    figure(ctx.task, 'postgresWindowsP95Ms', windowsText(afterPostgres));
    figure(ctx.task, 'postgresRecoverS', afterPostgres.secondsToRecover);
    figure(ctx.task, 'slots', `${fires.length} (${fires.map((f) => f.outcome).join('/')})`);
    figure(ctx.task, 'runs', runs.map((r) => `${r.n} ${r.status}`).join(', '));
    figure(ctx.task, 'edits', `${accepted.length} accepted of ${edits.length}`);
    figure(ctx.task, 'shopReads', `${shop.reads} (${shop.hits} hits, ${shop.misses} misses, ${shop.errors} errors)`);
    figure(ctx.task, 'apiReads', `${samples.length} (${samples.filter((s) => !s.ok).length} errors)`);
    expect.soft(afterRedis.secondsToRecover).toBeLessThanOrEqual(60);
    expect.soft(afterPostgres.secondsToRecover).toBeLessThanOrEqual(60);
  });
});
