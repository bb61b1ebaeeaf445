// npm run bench:warm -- --products 1000000 [--workers 1,2,3] [--slots 2] [--concurrency 16] [--batch 1000] [--shard-keys 50000] [--per-key-keys 100000]
//
// Warms product_catalog (every active product) into Redis through Kiln's real run path: the run is
// recorded and queued on pg-boss, and N worker processes (server/cli/worker.ts, as `npm run worker`
// starts them) take its shards, for each N asked. Beside it, in the same run on the same machine:
// the same kind of work one key at a time (SELECT by id, SET with TTL, 20 in flight: how the
// seed's warmer works) on a slice of the keys, and Redis's own ceiling for SET EX of 1 kB values
// (redis-benchmark, pipelined), so every figure compares with the others of this run.
// Prints one JSON line per measurement and a table at the end. Uses DATABASE_URL (default: the
// local kiln_bench database, created and seeded when it lacks the requested shop) and REDIS_URL
// (default: local Redis, under a prefix of its own that is removed at the end).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { RedisCache } from '@/server/cache/redis-cache';
import { parseConfig } from '@/server/config';
import type { Database } from '@/server/db/client';
import { buildRuntime } from '@/server/runtime';
import { ConcurrencyLimiter } from '@/server/warmup/limiter';
import { startWorkerProcess, waitUntil } from '../support/worker-process';
import { ensureShopDatabase, print, round } from './support';

const { values } = parseArgs({
  options: {
    products: { type: 'string', default: '1000000' },
    workers: { type: 'string', default: '1,2,3' },
    slots: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '16' },
    batch: { type: 'string', default: '1000' },
    'shard-keys': { type: 'string', default: '50000' },
    'per-key-keys': { type: 'string', default: '100000' },
  },
});
const products = Number(values.products);
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/kiln_bench';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `kiln-bench:${Date.now()}:`;
const rows: Record<string, unknown>[] = [];
const emit = (line: Record<string, unknown>) => {
  rows.push(line);
  print(line);
};

async function ensureShop(): Promise<Database> {
  const database = await ensureShopDatabase(databaseUrl, products);
  // The benchmark drives the bulk strategy, which is off by default.
  await database.rows(sql`insert into strategy_settings (strategy, enabled, updated_by) values ('product_catalog', true, 'bench')
                          on conflict (strategy) do update set enabled = true`);
  await database.rows(sql`update settings set batch_size = ${Number(values.batch)}, key_timeout_ms = 30000, paused = false where id = 1`);
  await database.rows(sql`update runs set cancel_requested_at = now(), cancel_reason = 'bench: left over' where status = 'running'`);
  return database;
}

/** Resident memory of a process (kB in /proc/<pid>/status), 0 once it is gone. */
function rssMb(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** One run of product_catalog on N fresh worker processes; a recording process that runs no worker. */
async function engine(database: Database, workerCount: number): Promise<number> {
  const env = {
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    CACHE_KEY_PREFIX: prefix,
    KILN_WORKER_SLOTS: values.slots!,
    LOG_LEVEL: 'warn',
  };
  await database.rows(sql`update workers set state = 'stopped' where state = 'running'`);
  const cleanups: (() => Promise<void>)[] = [];
  const workers = Array.from({ length: workerCount }, () => startWorkerProcess(env, (fn) => cleanups.push(fn)));
  try {
    await waitUntil(
      async () => (await database.rows<{ n: number }>(sql`select count(*)::int as n from workers where state = 'running' and last_seen_at > now() - interval '5 seconds'`))[0]!.n === workerCount,
      60_000,
      `${workerCount} workers reporting`,
    );
    const recorder = await buildRuntime({
      mode: 'cli',
      workers: false,
      logger: pino({ level: 'warn' }),
      config: parseConfig({ ...process.env, ...env, KILN_SHARD_KEYS: values['shard-keys'] }),
    });
    const peaks = new Map(workers.map((w) => [w.pid, 0]));
    const sampler = setInterval(() => {
      for (const w of workers) peaks.set(w.pid, Math.max(peaks.get(w.pid)!, rssMb(w.pid)));
    }, 100);
    const started = performance.now();
    try {
      const run = await recorder.warmer.startRun({ trigger: 'cli', triggeredBy: 'bench:warm', scope: { strategies: ['product_catalog'] }, concurrency: Number(values.concurrency) });
      const summary = await run.done;
      const seconds = (performance.now() - started) / 1000;
      if (summary.status !== 'succeeded') throw new Error(`engine run ended ${summary.status}: ${summary.error}`);
      const [shards] = await database.rows<{ n: number; workers: number; retried: number }>(sql`
        select count(*)::int as n, count(distinct worker)::int as workers, count(*) filter (where jsonb_array_length(retries) > 0)::int as retried
        from run_shards where run_id = ${run.runId}::uuid`);
      const keys = summary.totals.warmed;
      emit({
        measurement: 'engine',
        strategy: 'product_catalog',
        workers: workerCount,
        keys,
        seconds: round(seconds),
        keysPerSecond: Math.round(keys / seconds),
        peakRssMbPerWorker: [...peaks.values()].map((mb) => Math.round(mb)),
        shards: shards!.n,
        workersUsed: shards!.workers,
        concurrency: Number(values.concurrency),
        slots: Number(values.slots),
        batchSize: Number(values.batch),
      });
      if (workerCount === 1) await firstKeyLatency(recorder.warmer as never);
      return keys / seconds;
    } finally {
      clearInterval(sampler);
      await recorder.stop();
    }
  } finally {
    for (const w of workers) w.process.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
    for (const cleanup of cleanups) await cleanup();
  }
}

/**
 * How long after a run is recorded (the moment POST /api/runs answers 202) its first key is in
 * Redis, with a worker idle and waiting: no process is started per run, a NOTIFY wakes the worker.
 */
async function firstKeyLatency(warmer: { startRun: (input: never) => Promise<{ runId: string; done: Promise<unknown> }> }): Promise<void> {
  const probe = new RedisCache({ kind: 'redis', url: redisUrl }, { keyPrefix: prefix });
  await probe.ready();
  const samples: number[] = [];
  try {
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 1500)); // the worker idle again
      // The category tree: the first key the categories strategy lists (a small, everyday run).
      const key = 'Category:tree:root';
      await probe.delete([key]);
      const run = await warmer.startRun({ trigger: 'cli', triggeredBy: 'bench:first-key', scope: { strategies: ['categories'] }, concurrency: 4 } as never);
      const recordedAt = performance.now();
      while (!(await probe.exists(key))) {
        if (performance.now() - recordedAt > 10_000) throw new Error('no first key within 10 s');
      }
      samples.push(performance.now() - recordedAt);
      await run.done;
    }
  } finally {
    await probe.close();
  }
  samples.sort((a, b) => a - b);
  emit({ measurement: 'first-key-after-trigger', runs: samples.length, medianMs: Math.round(samples[2]!), maxMs: Math.round(samples.at(-1)!) });
}

/**
 * The seed's way: per key, one SELECT by id (the product with its category), JSON-encoded in
 * Node, then one SET with TTL; at most 20 keys in flight.
 */
async function perKey(database: Database, cache: RedisCache): Promise<number> {
  const count = Number(values['per-key-keys']);
  const ids = (await database.rows<{ id: number }>(sql`select id from products where status = 'active' order by id limit ${count}`)).map((r) => r.id);
  const limiter = new ConcurrencyLimiter(20);
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: limiter.concurrency }, async () => {
      while (next < ids.length) {
        const id = ids[next++]!;
        const [row] = await database.rows(sql`
          select p.*, c.name as category_name, c.slug as category_slug
          from products p join categories c on c.id = p.category_id where p.id = ${id}`);
        if (row) await cache.set(`per-key:Product:id:${id}`, JSON.stringify(row), 86_400);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  emit({ measurement: 'per-key', keys: ids.length, seconds: round(seconds), keysPerSecond: Math.round(ids.length / seconds), concurrency: 20 });
  return ids.length / seconds;
}

/** Redis's own ceiling here: SET EX of 1 kB values, pipelined 64 deep, 4 connections (redis-benchmark). */
function redisCeiling(): number {
  const url = new URL(redisUrl);
  const value = 'x'.repeat(1024);
  const output = execFileSync(
    'redis-benchmark',
    ['-h', url.hostname, '-p', url.port || '6379', '-n', '300000', '-r', '100000', '-P', '64', '-c', '4', '-q', 'SET', `${prefix}ceiling:__rand_int__`, value, 'EX', '30'],
    { encoding: 'utf8' },
  );
  const match = /([\d.]+) requests per second/.exec(output);
  const perSecond = match ? Number(match[1]) : NaN;
  emit({ measurement: 'redis-set-ex-ceiling', valueBytes: 1024, pipeline: 64, clients: 4, setsPerSecond: Math.round(perSecond) });
  return perSecond;
}

const database = await ensureShop();
const cache = new RedisCache({ kind: 'redis', url: redisUrl }, { keyPrefix: prefix, commandTimeoutMs: 30_000 });
await cache.ready();
try {
  const ceiling = redisCeiling();
  const rates: [number, number][] = [];
  for (const n of values.workers!.split(',').map(Number)) {
    const rate = await engine(database, n);
    rates.push([n, rate]);
    emit({ measurement: 'engine-vs-redis-ceiling', workers: n, ratio: round(rate / ceiling, 3) });
  }
  const perKeyRate = await perKey(database, cache);
  emit({ measurement: 'ratio', engineOverPerKey: round(rates[0]![1] / perKeyRate) });
  console.log('\n| workers | keys/s | of Redis SET EX ceiling | peak RSS per worker (MB) |\n|---|---|---|---|');
  for (const row of rows.filter((r) => r.measurement === 'engine')) {
    console.log(`| ${row.workers} | ${row.keysPerSecond} | ${round((row.keysPerSecond as number) / ceiling * 100, 1)}% | ${(row.peakRssMbPerWorker as number[]).join(', ')} |`);
  }
  console.log(`\nRedis SET EX ceiling: ${Math.round(ceiling)}/s; per-key way: ${Math.round(perKeyRate)} keys/s`);
} finally {
  let removed = 0;
  for await (const batch of cache.scan('', 5000)) removed += await cache.delete(batch);
  console.error(`Removed ${removed} benchmark keys from Redis`);
  await cache.close();
  await database.close();
}
