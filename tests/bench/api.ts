// npm run bench:api                   autocannon on GET /api/stats (30 days) and GET /api/runs over
//                                     100,000 runs of history: 20 connections, 20 s each.
// npm run bench:api -- --during-warmup  100 requests/s of dashboard polling (stats, runs, strategies)
//                                     for 60 s while a 1,000,000-product warmup runs, against the
//                                     same warmup alone.
// npm run bench:api -- --shop           autocannon on a shop read (a cache hit) with a shop_reader
//                                     token, the access check's cost, beside /api/health (no check).
// Prints one JSON line per measurement. Databases of its own on the local Postgres (DATABASE_URL
// overrides the warmup's), Redis under a prefix of its own, removed at the end.
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { sql } from 'drizzle-orm';
import { RedisCache } from '@/server/cache/redis-cache';
import type { Database } from '@/server/db/client';
import { ensureBuild } from '../../server/cli/build.mjs';
import { type AppProcess, api, apiToken, startApp } from '../support/app-process';
import { ensureShopDatabase, percentiles, print, round } from './support';

const { values } = parseArgs({
  options: {
    'during-warmup': { type: 'boolean', default: false },
    shop: { type: 'boolean', default: false },
    runs: { type: 'string', default: '100000' },
    seconds: { type: 'string', default: '20' },
    connections: { type: 'string', default: '20' },
    products: { type: 'string', default: '1000000' },
    'poll-seconds': { type: 'string', default: '60' },
    rps: { type: 'string', default: '100' },
    'warm-concurrency': { type: 'string', default: '8' },
    'warm-batch': { type: 'string', default: '1000' },
  },
});
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `kiln-bench-api:${Date.now()}:`;

/** `count` finished runs over the last year, each with its strategies' results, inserted in bulk. */
async function seedHistory(database: Database, count: number): Promise<void> {
  const [row] = await database.rows<{ n: number }>(sql`select count(*)::int as n from runs`);
  if (row!.n >= count) return;
  const started = performance.now();
  await database.rows(sql`truncate runs cascade`);
  await database.rows(sql`
    insert into runs (id, trigger, triggered_by, scope, strategies, concurrency, owner, status, created_at, finished_at,
                      total, warmed, skipped, failed, duration_ms)
    select gen_random_uuid(), (array['schedule','schedule','schedule','manual','api','startup'])[1 + i % 6]::run_trigger, 'bench',
           '{"all":true}', array['hot_products','recommendations','categories','sessions'], 20, 'bench:1',
           case when i % 23 = 0 then 'partial' when i % 101 = 0 then 'failed' else 'succeeded' end::run_status,
           t, t + make_interval(secs => 2 + (i % 40)), 200, 200 - (i % 23 = 0)::int * 7, 0, (i % 23 = 0)::int * 7, 2000 + (i % 40) * 1000
    from generate_series(1, ${count}) as i, lateral (select now() - make_interval(secs => i * (365 * 86400 / ${count}))) as ts(t)`);
  await database.rows(sql`
    insert into run_strategies (run_id, strategy, position, outcome, trigger, dry_run, priority, ttl_seconds, total, warmed, skipped, failed,
                                success_rate, started_at, finished_at, duration_ms)
    select r.id, s.name, s.pos, case when r.status = 'partial' and s.pos = 0 then 'partial' else 'succeeded' end::strategy_outcome,
           r.trigger, false, s.priority, s.ttl, 50, 50 - case when r.status = 'partial' and s.pos = 0 then 7 else 0 end, 0,
           case when r.status = 'partial' and s.pos = 0 then 7 else 0 end,
           case when r.status = 'partial' and s.pos = 0 then 43.0 / 50 else 1 end,
           r.created_at, r.finished_at, r.duration_ms / 4 + s.pos * 37
    from runs r cross join (values ('hot_products', 0, 100, 7200), ('recommendations', 1, 60, 1800), ('categories', 2, 50, 14400), ('sessions', 3, 20, 900)) as s(name, pos, priority, ttl)`);
  await database.rows(sql`analyze runs, run_strategies`);
  print({ measurement: 'seed-history', runs: count, seconds: round((performance.now() - started) / 1000) });
}

/** autocannon on one path, or on a new path for every request when `pathFor` is given. */
async function cannon(app: AppProcess, token: string | null, path: string, label: string, pathFor?: () => string): Promise<void> {
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${app.url}${path}`,
        connections: Number(values.connections),
        duration: Number(values.seconds),
        headers: token ? { authorization: `Bearer ${token}` } : {},
        requests: pathFor ? [{ setupRequest: (req) => ({ ...req, path: pathFor() }) }] : undefined,
      },
      (error, res) => (error ? reject(error) : resolve(res)),
    );
    instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => latencies.push(responseTime));
  });
  const p = percentiles(latencies);
  print({
    measurement: label,
    path,
    connections: Number(values.connections),
    seconds: Number(values.seconds),
    requestsPerSecond: round(result.requests.average, 1),
    p50Ms: p.p50,
    p95Ms: p.p95,
    p99Ms: p.p99,
    errors: result.errors + result.non2xx,
  });
}

/**
 * Paced requests (not as fast as possible): `rps` a second over `seconds`, rotating over paths.
 * Each sample notes whether `busy()` was true when it was sent (the warmup still running).
 */
async function poll(app: AppProcess, token: string, paths: string[], rps: number, seconds: number, busy: () => boolean) {
  const samples: { path: string; ms: number; duringWarmup: boolean }[] = [];
  let errors = 0;
  const pending: Promise<void>[] = [];
  const start = Date.now();
  for (let i = 0; i < rps * seconds; i++) {
    const wait = start + (i * 1000) / rps - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const path = paths[i % paths.length]!;
    const duringWarmup = busy();
    const sent = performance.now();
    pending.push(
      api(app, token, 'GET', path).then(
        (r) => {
          if (r.status !== 200) errors++;
          samples.push({ path, ms: performance.now() - sent, duringWarmup });
        },
        () => void errors++,
      ),
    );
  }
  await Promise.all(pending);
  return { samples, errors };
}

async function waitForRun(app: AppProcess, token: string, runId: string): Promise<{ status: string; durationMs: number; warmed: number }> {
  for (;;) {
    const { body } = await api(app, token, 'GET', `/api/runs/${runId}`);
    if (body.run.status !== 'running') return body.run;
    await new Promise((r) => setTimeout(r, 250));
  }
}

const cleanups: (() => Promise<void>)[] = [];
if (!ensureBuild({ ...process.env, NEXT_TELEMETRY_DISABLED: '1' })) throw new Error('next build failed');
try {
  if (values.shop) {
    // The shop's reads need a credential (issue 14): each one looks its token up in Postgres.
    const url = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/kiln_bench_api';
    const database = await ensureShopDatabase(url, 2000);
    await database.close();
    // The per-address shop limit off: one load generator is one address.
    const app = await startApp({ DATABASE_URL: url, REDIS_URL: redisUrl, CACHE_KEY_PREFIX: prefix, LOG_LEVEL: 'warn', SHOP_RATE_LIMIT_RPS: '1000000' }, (fn) => cleanups.push(fn));
    const token = await apiToken(app, 'shop_reader');
    await api(app, token, 'GET', '/api/shop/categories'); // cached from here on: every request below is a hit
    await cannon(app, null, '/api/health', 'health-no-access-check');
    await cannon(app, token, '/api/shop/categories', 'shop-read-hit-with-token');
  } else if (!values['during-warmup']) {
    const url = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/kiln_bench_api';
    const database = await ensureShopDatabase(url, 2000);
    await seedHistory(database, Number(values.runs));
    await database.close();
    const app = await startApp({ DATABASE_URL: url, REDIS_URL: redisUrl, CACHE_KEY_PREFIX: prefix, LOG_LEVEL: 'warn' }, (fn) => cleanups.push(fn));
    const token = await apiToken(app, 'viewer');
    const to = new Date();
    const from = new Date(to.getTime() - 30 * 86_400_000);
    // The same 30-day range again and again (what polling dashboards do: answers up to 5 s old are
    // reused), then a different range for every request, so each one is a fresh aggregation.
    await cannon(app, token, `/api/stats?from=${from.toISOString()}&to=${to.toISOString()}`, 'stats-30d-same-range');
    let shift = 0;
    await cannon(app, token, '/api/stats', 'stats-30d-new-range-each-request', () => {
      const end = new Date(to.getTime() - ++shift * 1000);
      return `/api/stats?from=${new Date(end.getTime() - 30 * 86_400_000).toISOString()}&to=${end.toISOString()}`;
    });
    await cannon(app, token, '/api/runs?limit=50', 'runs-page');
  } else {
    const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/kiln_bench';
    const database = await ensureShopDatabase(url, Number(values.products));
    await seedHistory(database, 20_000);
    await database.rows(sql`insert into strategy_settings (strategy, enabled, updated_by) values ('product_catalog', true, 'bench') on conflict (strategy) do update set enabled = true`);
    await database.rows(sql`update settings set batch_size = ${Number(values['warm-batch'])}, key_timeout_ms = 30000 where id = 1`);
    await database.close();
    const app = await startApp({ DATABASE_URL: url, REDIS_URL: redisUrl, CACHE_KEY_PREFIX: prefix, LOG_LEVEL: 'warn' }, (fn) => cleanups.push(fn));
    const token = await apiToken(app, 'operator');
    const warm = async () => {
      const { body } = await api(app, token, 'POST', '/api/runs', { scope: { strategies: ['product_catalog'] }, concurrency: Number(values['warm-concurrency']) });
      if (!body.runId) throw new Error(`the warmup did not start: ${JSON.stringify(body)}`);
      return body.runId as string;
    };
    const alone = await waitForRun(app, token, await warm());
    print({ measurement: 'warmup-alone', keys: alone.warmed, seconds: round(alone.durationMs / 1000), keysPerSecond: Math.round(alone.warmed / (alone.durationMs / 1000)) });

    const paths = ['/api/stats', '/api/runs?limit=50', '/api/strategies'];
    const runId = await warm();
    let ended = false;
    const during = waitForRun(app, token, runId).then((run) => ((ended = true), run));
    const polled = poll(app, token, paths, Number(values.rps), Number(values['poll-seconds']), () => !ended);
    const [withPolling, { samples, errors }] = await Promise.all([during, polled]);
    print({ measurement: 'warmup-while-polled', keys: withPolling.warmed, seconds: round(withPolling.durationMs / 1000), keysPerSecond: Math.round(withPolling.warmed / (withPolling.durationMs / 1000)), slowdownPercent: round((withPolling.durationMs / alone.durationMs - 1) * 100, 1) });
    for (const path of paths) {
      for (const duringWarmup of [true, false]) {
        const list = samples.filter((x) => x.path === path && x.duringWarmup === duringWarmup).map((x) => x.ms);
        if (list.length === 0) continue;
        print({ measurement: duringWarmup ? 'polling-during-warmup' : 'polling-after-warmup', path, requests: list.length, ...Object.fromEntries(Object.entries(percentiles(list)).map(([k, v]) => [`${k}Ms`, v])) });
      }
    }
    print({ measurement: 'polling-errors', errors, rps: Number(values.rps), seconds: Number(values['poll-seconds']) });
  }
} finally {
  for (const cleanup of cleanups) await cleanup();
  const cache = new RedisCache({ kind: 'redis', url: redisUrl }, { keyPrefix: prefix });
  await cache.ready();
  let removed = 0;
  for await (const batch of cache.scan('', 5000)) removed += await cache.delete(batch);
  await cache.close();
  if (removed) console.error(`Removed ${removed} benchmark keys from Redis`);
}
