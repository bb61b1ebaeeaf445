// npm run bench:governor -- [--products 1000000] [--rate 40] [--seconds 30] [--concurrency 50] [--batch 500] [--slots 2]
//
// Does a warmup hurt the shop? Shop reads that miss the cache go to Postgres at a steady rate over
// HTTP, and their latency is measured (1) with no warmup (baseline), (2) during a catalog warmup
// (product_catalog, the 1M-product shop) at `fixed` concurrency 50, (3) during the same warmup with
// the `gentle` profile. The shop is a minimal loopback HTTP server in this process (port 3325 by
// default, GOV_SHOP_PORT) that reads a product the way the shop's read path does on a miss:
// loadProductsJson, one query, JSON built by Postgres, on a pool of its own (20 connections). The
// warmup runs through Kiln's real run path on a separate worker process (server/cli/worker.ts), so
// the shop, the worker, Postgres and Redis share this machine's cores as they would share a host.
// Prints a table and one JSON line per variant:
//   {"measurement":"governor","variant":"baseline"|"fixed"|"gentle","shopP95Ms","shopP99Ms","keysPerSecond"}
// Uses DATABASE_URL (default: the local kiln_bench_gov, created and seeded once) and REDIS_URL.
import http from 'node:http';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { parseConfig } from '@/server/config';
import { loadProductsJson } from '@/server/contexts/catalog/load-products-json';
import { type Database, openPostgres } from '@/server/db/client';
import { buildRuntime } from '@/server/runtime';
import type { GovernorProfile } from '@/server/warmup/governor';
import { startWorkerProcess, waitUntil } from '../support/worker-process';
import { ensureShopDatabase, percentiles, print, round } from './support';

const { values } = parseArgs({
  options: {
    products: { type: 'string', default: '1000000' },
    rate: { type: 'string', default: '40' },
    seconds: { type: 'string', default: '30' },
    concurrency: { type: 'string', default: '50' },
    batch: { type: 'string', default: '500' },
    slots: { type: 'string', default: '2' },
  },
});
const products = Number(values.products);
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/kiln_bench_gov';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const shopPort = Number(process.env.GOV_SHOP_PORT ?? 3325);
const prefix = `kiln-bench-gov:${Date.now()}:`;

type Row = { variant: string; requests: number; errors: number; shopP50Ms: number; shopP95Ms: number; shopP99Ms: number; keysPerSecond: number | null; meanConcurrency: number | null };
const rows: Row[] = [];

/** The shop: GET /products/{id} reads the product from Postgres as a cache miss does. */
async function startShop(): Promise<{ close: () => Promise<void> }> {
  const shopDb = await openPostgres(databaseUrl, 20);
  const server = http.createServer((req, res) => {
    const id = Number(/^\/products\/(\d+)$/.exec(req.url ?? '')?.[1]);
    if (!Number.isInteger(id)) {
      res.writeHead(404).end();
      return;
    }
    loadProductsJson(shopDb, [id]).then(
      ([json]) => res.writeHead(json ? 200 : 404, { 'content-type': 'application/json', 'x-kiln-cache': 'miss' }).end(json ?? '{}'),
      (error: unknown) => res.writeHead(500).end(String(error)),
    );
  });
  await new Promise<void>((resolve) => server.listen(shopPort, '127.0.0.1', resolve));
  return {
    close: async () => {
      await new Promise((r) => server.close(r));
      await shopDb.close();
    },
  };
}

/** Reads at a steady `rate` per second for `ms` (open loop: a slow answer does not slow the next request). */
async function shopLoad(ms: number, stopped: () => boolean = () => false): Promise<{ latencies: number[]; errors: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const latencies: number[] = [];
  let errors = 0;
  const inFlight: Promise<void>[] = [];
  const started = performance.now();
  for (let i = 0; performance.now() - started < ms && !stopped(); i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const id = 1 + Math.floor(Math.random() * products);
    const t0 = performance.now();
    inFlight.push(
      new Promise<void>((resolve) => {
        const req = http.get({ host: '127.0.0.1', port: shopPort, path: `/products/${id}`, agent }, (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200 || res.statusCode === 404) latencies.push(performance.now() - t0);
            else errors++;
            resolve();
          });
        });
        req.on('error', () => {
          errors++;
          resolve();
        });
      }),
    );
  }
  await Promise.all(inFlight);
  agent.destroy();
  return { latencies, errors };
}

function record(variant: string, load: { latencies: number[]; errors: number }, keysPerSecond: number | null, meanConcurrency: number | null) {
  const p = percentiles(load.latencies);
  const row = { variant, requests: load.latencies.length, errors: load.errors, shopP50Ms: p.p50, shopP95Ms: p.p95, shopP99Ms: p.p99, keysPerSecond, meanConcurrency };
  rows.push(row);
  print({ measurement: 'governor', variant, shopP95Ms: p.p95, shopP99Ms: p.p99, keysPerSecond, shopP50Ms: p.p50, requests: row.requests, errors: load.errors, meanConcurrency, rate, seconds });
}

/** A product_catalog run with `profile`, measured for `seconds` while the shop is read, then cancelled. */
async function warmupVariant(database: Database, profile: GovernorProfile): Promise<void> {
  const env = { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, CACHE_KEY_PREFIX: `${prefix}${profile}:`, KILN_WORKER_SLOTS: values.slots!, LOG_LEVEL: 'warn' };
  await database.rows(sql`update workers set state = 'stopped' where state = 'running'`);
  const cleanups: (() => Promise<void>)[] = [];
  startWorkerProcess(env, (fn) => cleanups.push(fn));
  const recorder = await buildRuntime({ mode: 'cli', workers: false, logger: pino({ level: 'warn' }), config: parseConfig({ ...process.env, ...env }) });
  try {
    await waitUntil(async () => (await database.rows<{ n: number }>(sql`select count(*)::int as n from workers where state = 'running' and last_seen_at > now() - interval '5 seconds'`))[0]!.n === 1, 60_000, 'the worker reporting');
    const run = await recorder.warmer.startRun({ trigger: 'cli', triggeredBy: 'bench:governor', scope: { strategies: ['product_catalog'] }, concurrency: Number(values.concurrency), profile });
    // The first shard splits the key space (a count over a million rows): the measurement starts when keys flow.
    await waitUntil(async () => (await database.rows<{ n: number }>(sql`select coalesce(sum((progress->>'done')::int), 0)::int as n from run_shards where run_id = ${run.runId}::uuid`))[0]!.n > 0, 120_000, 'the warmup starting');
    // Measured while the warmup runs, for `seconds` at most (a fast run ends sooner: so does the window).
    const started = performance.now();
    let ended = false;
    let endedAt = 0;
    void run.done.finally(() => {
      ended = true;
      endedAt = performance.now();
    });
    const load = await shopLoad(seconds * 1000, () => ended);
    if (!ended) await recorder.warmer.cancelRun(run.runId, 'bench:governor');
    const summary = await run.done;
    const elapsed = ((endedAt || performance.now()) - started) / 1000;
    console.error(`${profile}: ${summary.status}, ${summary.totals.warmed} keys warmed in ${round(elapsed, 1)} s of measurement, ${load.latencies.length} shop reads`);
    const [c] = await database.rows<{ mean: number | null }>(sql`select avg(concurrency)::float8 as mean from run_governor_samples where run_id = ${run.runId}::uuid`);
    record(profile, load, Math.round(summary.totals.warmed / elapsed), c?.mean == null ? null : round(c.mean, 1));
  } finally {
    await recorder.stop();
    for (const cleanup of cleanups) await cleanup();
  }
}

const database = await ensureShopDatabase(databaseUrl, products);
await database.rows(sql`insert into strategy_settings (strategy, enabled, updated_by) values ('product_catalog', true, 'bench')
                        on conflict (strategy) do update set enabled = true`);
await database.rows(sql`update settings set batch_size = ${Number(values.batch)}, key_timeout_ms = 30000, paused = false where id = 1`);
await database.rows(sql`update runs set cancel_requested_at = now(), cancel_reason = 'bench: left over' where status = 'running'`);
await database.rows(sql`delete from strategy_locks`);
const shop = await startShop();
try {
  await shopLoad(3000); // warms the shop's pool and Postgres's buffers: not measured
  record('baseline', await shopLoad(seconds * 1000), null, null);
  await warmupVariant(database, 'fixed');
  await warmupVariant(database, 'gentle');
} finally {
  await shop.close();
  const { Redis } = await import('ioredis');
  const redis = new Redis(redisUrl);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 5000);
    cursor = next;
    if (keys.length) await redis.unlink(...keys);
  } while (cursor !== '0');
  redis.disconnect();
  await database.close();
}

const base = rows.find((r) => r.variant === 'baseline');
const fixed = rows.find((r) => r.variant === 'fixed');
console.log(`\nShop reads at ${rate}/s over HTTP (cache misses, Postgres), ${seconds} s per variant; warmup: product_catalog, concurrency ${values.concurrency}, batch ${values.batch}`);
console.log('variant   requests  errors  p50 ms  p95 ms  p99 ms  vs base p95  warmup keys/s  vs fixed  mean conc./shard');
for (const r of rows) {
  const vsBase = base && r !== base ? `${r.shopP95Ms >= base.shopP95Ms ? '+' : ''}${Math.round((r.shopP95Ms / base.shopP95Ms - 1) * 100)}%` : '';
  const vsFixed = fixed?.keysPerSecond && r.keysPerSecond !== null ? `${Math.round((r.keysPerSecond / fixed.keysPerSecond) * 100)}%` : '';
  console.log(
    `${r.variant.padEnd(9)} ${String(r.requests).padStart(8)}  ${String(r.errors).padStart(6)}  ${String(r.shopP50Ms).padStart(6)}  ${String(r.shopP95Ms).padStart(6)}  ${String(r.shopP99Ms).padStart(6)}  ${vsBase.padStart(11)}  ${String(r.keysPerSecond ?? '').padStart(13)}  ${vsFixed.padStart(8)}  ${String(r.meanConcurrency ?? '').padStart(10)}`,
  );
}
