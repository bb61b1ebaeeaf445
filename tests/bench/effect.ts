// npm run bench:effect -- --products 100000 --rps 500 --seconds 60 [--variants cold,warm,catalog] [--seed 7]
// npm run bench:effect -- --direct   (the shop reads Redis itself: see tests/bench/effect/direct.ts)
//
// Does the warmup help? Seeds a shop into a database of its own (kiln_effect on the local Postgres,
// or EFFECT_DATABASE_URL; reused while fresh), builds the app if needed, and for each variant starts
// `next start` against it and the local Redis (REDIS_URL) under a prefix of its own, emptied first:
//   cold     WARMUP_ON_STARTUP=false: the cache starts empty and fills by the read path alone
//   warm     the start-up warmup of the strategies enabled by default (product_catalog off)
//   catalog  the start-up warmup with product_catalog on too (the whole catalog)
// then drives the same seeded shop traffic over HTTP at --rps for --seconds, stops the server (which
// writes its last read counts) and prints, per variant, the hit rate per key family and the database
// queries the read path made, side by side. Removes its Redis keys and stops its servers at the end.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { ensureBuild } from '../../server/cli/build.mjs';
import type { Database } from '@/server/db/client';
import { type KilnServer, shopReaderToken, startKiln } from './effect/kiln-server';
import { type Outcome, printReport } from './effect/report';
import { ensureShopDatabase, lastStartupRun, readCounts, readShopFacts } from './effect/shop-database';
import { MIX_DESCRIPTION, driveTraffic, trafficMix, warmUpProcess } from './effect/traffic';

const VARIANTS = {
  cold: { label: 'cold cache', warmup: false, catalog: false },
  warm: { label: 'after warmup', warmup: true, catalog: false },
  catalog: { label: 'warmup + catalog', warmup: true, catalog: true },
} as const;
type VariantName = keyof typeof VARIANTS;

const { values } = parseArgs({
  options: {
    products: { type: 'string', default: '100000' },
    rps: { type: 'string', default: '500' },
    seconds: { type: 'string', default: '60' },
    variants: { type: 'string', default: 'cold,warm,catalog' },
    seed: { type: 'string', default: '7' },
    direct: { type: 'boolean', default: false },
  },
});
const products = Number(values.products);
const rps = Number(values.rps);
const seconds = Number(values.seconds);
const variants = values.variants!.split(',').map((v) => v.trim()) as VariantName[];
for (const v of variants) if (!(v in VARIANTS)) throw new Error(`--variants: unknown variant ${v} (known: ${Object.keys(VARIANTS).join(', ')})`);
if (!(products >= 10 && rps > 0 && seconds > 0)) throw new Error('--products (10 or more), --rps and --seconds must be positive numbers');

// --direct (issue 18): the shop reads Redis itself; Kiln's used shares and keyspace hit ratio against its truth.
if (values.direct) {
  const { runDirect } = await import('./effect/direct');
  const given = (flag: string) => process.argv.includes(flag);
  await runDirect({ products: given('--products') ? products : 2000, rps: given('--rps') ? rps : 300, seconds: given('--seconds') ? seconds : 30, log: (line) => console.error(line) });
  process.exit(0);
}

const databaseUrl = process.env.EFFECT_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/kiln_effect';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `kiln-effect:${process.pid}-${Date.now()}:`;
const log = (line: string) => console.error(line);
const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
let server: KilnServer | undefined;
let database: Database | undefined;

async function deletePrefix(): Promise<number> {
  let removed = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 5000);
    cursor = next;
    if (keys.length) removed += await redis.unlink(...keys);
  } while (cursor !== '0');
  return removed;
}

async function keysInCache(): Promise<Set<string>> {
  const keys = new Set<string>();
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 5000);
    cursor = next;
    for (const k of batch) keys.add(k.slice(prefix.length));
  } while (cursor !== '0');
  return keys;
}

async function cleanUp(failed = false): Promise<void> {
  if (failed && server) log(`The server's log is kept in ${server.logFile}`);
  await server?.stop({ keepLog: failed }).catch(() => {});
  const removed = await deletePrefix().catch(() => 0);
  log(`Removed ${removed} simulator keys from Redis`);
  redis.disconnect();
  await database?.close().catch(() => {});
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping the server and removing the simulator's keys`);
    void cleanUp(true).finally(() => process.exit(130));
  });
}

async function runVariant(db: Database, name: VariantName, popularity: Awaited<ReturnType<typeof readShopFacts>>['popularity']): Promise<Outcome> {
  const variant = VARIANTS[name];
  await deletePrefix();
  await db.rows(sql`insert into strategy_settings (strategy, enabled, updated_by) values ('product_catalog', ${variant.catalog}, 'bench:effect')
                    on conflict (strategy) do update set enabled = excluded.enabled`);
  // Shoppers "active in the last hour" move with the clock: read them per variant.
  const facts = { ...(await readShopFacts(db)), popularity };
  const startedAt = new Date();
  log(`[${name}] starting the server (warmup on start: ${variant.warmup}, product_catalog: ${variant.catalog})...`);
  server = await startKiln(
    {
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      CACHE_KEY_PREFIX: prefix,
      WARMUP_ON_STARTUP: String(variant.warmup),
      SEED_DEMO_DATA: 'never',
      LOG_LEVEL: 'warn',
      KILN_ADMIN_EMAIL: 'bench@kiln.local',
      KILN_ADMIN_PASSWORD: 'bench-effect-admin-password',
      KILN_DATA_DIR: os.tmpdir(),
    },
    name,
  );
  const readyMs = Date.now() - startedAt.getTime();
  const run = variant.warmup ? await lastStartupRun(db, startedAt) : null;
  // The shop reads with the least-privilege credential a shop backend would hold.
  const token = await shopReaderToken(server.baseUrl, 'bench@kiln.local', 'bench-effect-admin-password');
  await warmUpProcess(server.baseUrl, token);
  const warmed = await keysInCache();
  const before = await readCounts(db);
  log(`[${name}] ready in ${(readyMs / 1000).toFixed(1)} s with ${warmed.size} keys cached; ${rps} requests/s for ${seconds} s...`);
  const cpuBefore = server.cpuSeconds();
  const traffic = await driveTraffic(server.baseUrl, trafficMix(facts, Number(values.seed)), { rps, seconds, warmed, token });
  const cpuAfter = server.cpuSeconds();
  await server.stop();
  server = undefined;
  const after = await readCounts(db);
  const counts = Object.fromEntries(
    ['products', 'categories', 'recommendations', 'sessions'].map((f) => {
      const a = after.get(f) ?? { hits: 0, misses: 0, dbQueries: 0 };
      const b = before.get(f) ?? { hits: 0, misses: 0, dbQueries: 0 };
      return [f, { hits: a.hits - b.hits, misses: a.misses - b.misses, dbQueries: a.dbQueries - b.dbQueries }];
    }),
  );
  const serverCpuSeconds = cpuBefore !== null && cpuAfter !== null ? cpuAfter - cpuBefore : null;
  return { name, label: variant.label, warmedKeys: warmed.size, readyMs, run, counts, traffic, serverCpuSeconds };
}

const loadBefore = os.loadavg();
log(`Load average before: ${loadBefore.map((l) => l.toFixed(2)).join(' ')} (${os.cpus().length} cores)`);
let failed = true;
try {
  database = await ensureShopDatabase(databaseUrl, products, log);
  if (!ensureBuild({ ...process.env, NEXT_TELEMETRY_DISABLED: '1' })) throw new Error('The build failed; see the output above');
  const { popularity } = await readShopFacts(database);
  const outcomes: Outcome[] = [];
  for (const name of variants) outcomes.push(await runVariant(database, name, popularity));
  printReport({ products, rps, seconds, mix: MIX_DESCRIPTION, loadBefore, loadAfter: os.loadavg(), outcomes });
  failed = false;
} finally {
  await cleanUp(failed);
}
