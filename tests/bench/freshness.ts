// npm run bench:freshness [-- --products 100000 --seconds 30 --rates 100,1000,5000]
//
// How fresh does re-warming on change keep the cache? On a shop of its own (a Postgres started with
// wal_level=logical in a temporary directory, database kiln_freshness_bench, and a Redis of its own
// with keyspace notifications), with the whole catalog warmed (product_catalog), a Kiln process
// (tests/support/freshness-consumer.ts) consumes the change stream through its logical slot while
// this process applies price and stock updates at each rate for N seconds, and watches Redis: each
// update is done when its product's key holds its value or a newer one (the stock carries a
// sequence number). It prints, per rate, the p50/p95/max delay from the commit to the new value
// readable in Redis, keys re-warmed a second (Kiln's own count), and the slot's lag at the end.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import pino from 'pino';
import postgres from 'postgres';
import { productKey } from '@/server/contexts/catalog/product-key';
import { RedisCache } from '@/server/cache/redis-cache';
import { parseConfig } from '@/server/config';
import { buildRuntime } from '@/server/runtime';
import { freePort, startOwnPostgres } from '../support/own-servers';
import { ensureShopDatabase, percentiles, print, round } from './support';

const { values: args } = parseArgs({
  options: { products: { type: 'string', default: '100000' }, seconds: { type: 'string', default: '30' }, rates: { type: 'string', default: '100,1000,5000' } },
});
const PRODUCTS = Number(args.products);
const SECONDS = Number(args.seconds);
const RATES = args.rates!.split(',').map(Number);
const TICK_MS = 20;
const now = () => performance.timeOrigin + performance.now();

console.error(`Load average before: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (a shared 2-core machine: other agents' work shows in the figures)`);
const pg = await startOwnPostgres({ logical: true, keep: true });
const redisPort = await freePort();
const redisDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-bench-redis-'));
const redis: ChildProcess = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', redisDir, '--notify-keyspace-events', 'K$'], { stdio: 'ignore' });
let consumer: ChildProcess | undefined;
const cleanups: (() => Promise<unknown> | void)[] = [];
const cleanup = async () => {
  for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => {});
  consumer?.kill('SIGKILL');
  redis.kill('SIGKILL');
  await pg.destroy();
  fs.rmSync(redisDir, { recursive: true, force: true });
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void cleanup().then(() => process.exit(130)));

try {
  const url = pg.databaseUrl('kiln_freshness_bench');
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  const shop = await ensureShopDatabase(url, PRODUCTS);
  await shop.close();
  const env = { DATABASE_URL: url, REDIS_URL: redisUrl, KILN_CHANGE_STREAM: 'logical', WARMUP_ON_STARTUP: 'false', LOG_LEVEL: 'warn' };

  // The whole catalog warmed, as a nightly run leaves it.
  const runtime = await buildRuntime({ mode: 'cli', config: parseConfig(env), logger: pino({ level: 'warn' }) });
  await runtime.database.rows((await import('drizzle-orm')).sql`insert into strategy_settings (strategy, enabled) values ('product_catalog', true) on conflict (strategy) do update set enabled = true`);
  const warm = await runtime.warmer.startRun({ trigger: 'cli', triggeredBy: 'bench:freshness', scope: { strategies: ['product_catalog'] } });
  const warmed = await warm.done;
  await runtime.stop();
  console.error(`Catalog warmed: ${warmed.totals.warmed} keys in ${(warmed.totals.durationMs / 1000).toFixed(1)} s`);

  // Kiln's consumer in a process of its own, as a server runs it.
  consumer = spawn(process.execPath, ['--conditions=react-server', '--import', 'tsx', path.join(import.meta.dirname, '..', 'support', 'freshness-consumer.ts')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const sql = postgres(url, { max: 2, onnotice: () => {} });
  // The updates go through ONE connection, pipelined: they commit in the order sent, so a product's
  // last value is its last update's (two connections could commit an older one last).
  const writer = postgres(url, { max: 1, onnotice: () => {} });
  cleanups.push(() => sql.end(), () => writer.end());
  for (let i = 0; ; i++) {
    const [state] = await sql<{ state: string }[]>`select state from change_stream_state where id = 1`;
    if (state?.state === 'streaming') break;
    if (i > 300) throw new Error('Kiln did not start streaming within 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  const ids = (await sql<{ id: number }[]>`select id from products where status = 'active' order by id`).map((r) => r.id);

  // The watcher: every write to a product key, read back and matched with the updates it satisfies.
  type Pending = { seq: number; at: number }[];
  const pending = new Map<number, Pending>();
  let delays: number[] = [];
  const reader = new Redis(redisUrl);
  const subscriber = new Redis(redisUrl);
  cleanups.push(() => reader.quit(), () => subscriber.quit());
  await subscriber.psubscribe('__keyspace@0__:Product:id:*');
  subscriber.on('pmessage', (_p, channel, event) => {
    if (event !== 'set') return;
    const key = channel.slice('__keyspace@0__:'.length);
    void reader.get(key).then((value) => {
      const seen = now();
      if (!value) return;
      const { id, stock } = JSON.parse(value) as { id: number; stock: number };
      const list = pending.get(id);
      if (!list) return;
      const left = list.filter((u) => {
        if (u.seq > stock) return true;
        delays.push(seen - u.at);
        return false;
      });
      if (left.length) pending.set(id, left);
      else pending.delete(id);
    });
  });

  const rows: Record<string, number | string>[] = [];
  let seq = 1_000_000;
  for (const rate of RATES) {
    delays = [];
    pending.clear();
    const perTick = Math.max(1, Math.round((rate * TICK_MS) / 1000));
    const [before] = await sql<{ n: string }[]>`select coalesce(sum(rewarmed), 0)::text as n from freshness_stats`;
    const started = now();
    let sent = 0;
    let inFlight = 0;
    let behind = 0;
    for (let tick = 0; now() - started < SECONDS * 1000; tick++) {
      const due = started + tick * TICK_MS;
      if (now() < due) await new Promise((r) => setTimeout(r, due - now()));
      if (inFlight > 20) {
        behind++;
        continue; // the database is not keeping up: skip rather than queue without bound
      }
      const batch = Array.from({ length: perTick }, () => ({ id: ids[Math.floor(Math.random() * ids.length)]!, seq: ++seq, price: (Math.random() * 500 + 1).toFixed(2) }));
      const unique = [...new Map(batch.map((u) => [u.id, u])).values()];
      inFlight++;
      const values = unique.map((u) => `(${u.id}, ${u.price}, ${u.seq})`).join(',');
      void writer
        .unsafe(`update products p set price = v.price, stock = v.stock from (values ${values}) v(id, price, stock) where p.id = v.id`)
        .then(() => {
          const at = now();
          for (const u of unique) pending.set(u.id, [...(pending.get(u.id) ?? []), { seq: u.seq, at }]);
          sent += unique.length;
        })
        .finally(() => inFlight--);
    }
    const ended = now();
    while (inFlight > 0) await new Promise((r) => setTimeout(r, 5));
    const [lag] = await sql<{ lag: string | null }[]>`
      select pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::text as lag from pg_replication_slots where slot_name like 'kiln_%'`;
    // Let the stream drain before the next rate (bounded).
    const drainStart = now();
    while (pending.size > 0 && now() - drainStart < 15_000) await new Promise((r) => setTimeout(r, 50));
    const drained = now();
    const [after] = await sql<{ n: string }[]>`select coalesce(sum(rewarmed), 0)::text as n from freshness_stats`;
    const p = percentiles(delays);
    const unresolved = [...pending.values()].reduce((n, l) => n + l.length, 0);
    const row = {
      measurement: 'freshness',
      rowsPerSecond: rate,
      sentPerSecond: round(sent / ((ended - started) / 1000), 0),
      p50Ms: p.p50,
      p95Ms: p.p95,
      maxMs: p.max,
      // Over the time from the first update until the last one was readable (or the drain gave up).
      keysRewarmedPerSecond: round((Number(after!.n) - Number(before!.n)) / ((drained - started) / 1000), 0),
      lagBytes: Number(lag?.lag ?? 0),
      updates: delays.length,
      unresolved,
      ticksSkipped: behind,
    };
    rows.push(row);
    print(row);
  }

  const line = '-'.repeat(108);
  console.log(`\nFreshness: ${PRODUCTS.toLocaleString('en-US')} products, catalog warmed, ${SECONDS} s per rate, updates of price and stock in ${TICK_MS} ms transactions`);
  console.log(`Load average after: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (shared 2-core machine)`);
  console.log(line);
  console.log(['rows/s', 'sent/s', 'p50 ms', 'p95 ms', 'max ms', 're-warmed/s', 'lag at end', 'updates', 'unresolved'].map((h) => h.padStart(12)).join(''));
  console.log(line);
  for (const r of rows) {
    console.log(
      [r.rowsPerSecond, r.sentPerSecond, r.p50Ms, r.p95Ms, r.maxMs, r.keysRewarmedPerSecond, `${round(Number(r.lagBytes) / 1024, 1)} KB`, r.updates, r.unresolved]
        .map((v) => String(typeof v === 'number' ? v.toLocaleString('en-US') : v).padStart(12))
        .join(''),
    );
  }
  console.log(line);
} finally {
  await cleanup();
}
process.exit(0);
