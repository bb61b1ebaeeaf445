// npm run bench:effect -- --direct [--products 2000] [--rps 300] [--seconds 30]
//
// Issue 18's check of Kiln's used/unread and keyspace figures against the truth: a shop that reads
// Redis directly with its own ioredis client (not through Kiln's read path) and keeps its own ground
// truth. Starts its own Redis (port 56474, allkeys-lru, nothing saved), a shop database of its own
// (effect_direct on the local Postgres, or EFFECT_DIRECT_DATABASE_URL), warms the default strategies
// through Kiln's runtime, then reads a known share of each strategy's warm set (plus keys Kiln never
// warmed, which miss and cost the shop a query) and compares.
import { type ChildProcess, spawn } from 'node:child_process';
import { eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import pino from 'pino';
import { RedisCache } from '@/server/cache/redis-cache';
import { parseConfig } from '@/server/config';
import { strategySettings, warmKeys } from '@/server/db/schema';
import { checkWarmSet } from '@/server/effect/check-warm-set';
import { buildRuntime } from '@/server/runtime';
import { wilsonInterval } from '@/lib/wilson';
import { print, round } from '../support';
import { ensureShopDatabase } from './shop-database';

/** The share of each strategy's warm set the simulated shop reads (the truth Kiln should find). */
const READ_SHARE: Record<string, number> = { hot_products: 0.6, recommendations: 0.5, categories: 0.35, sessions: 0.2, product_catalog: 0.45 };
const PORT = 56474;

export async function runDirect(options: { products: number; rps: number; seconds: number; log: (line: string) => void }): Promise<void> {
  const { log } = options;
  const child: ChildProcess = spawn('redis-server', ['--port', String(PORT), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'allkeys-lru'], { stdio: 'ignore' });
  const stopRedis = () => (child.exitCode === null ? child.kill('SIGKILL') : true);
  process.on('exit', stopRedis);
  const url = `redis://127.0.0.1:${PORT}`;
  await new Promise((r) => setTimeout(r, 500));
  const database = await ensureShopDatabase(process.env.EFFECT_DIRECT_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/effect_direct', options.products, log);
  const cache = new RedisCache({ kind: 'redis', url }, { keyPrefix: 'shop:' });
  await cache.ready(10_000);
  const config = parseConfig({ DATABASE_URL: 'postgres://bench@127.0.0.1/unused', WARMUP_ON_STARTUP: 'false', KILN_CHANGE_STREAM: 'off', KEYSPACE_SAMPLE_SECONDS: '5' });
  const runtime = await buildRuntime({ mode: 'test', config, logger: pino({ level: 'silent' }), database, cache, owner: 'bench-direct:1' });
  const shop = new Redis(url);
  try {
    const strategies = Object.keys(READ_SHARE);
    // product_catalog (off by default) gives a warm set bigger than the 300-key sample.
    await database.db.insert(strategySettings).values({ strategy: 'product_catalog', enabled: true, updatedBy: 'bench' }).onConflictDoUpdate({ target: strategySettings.strategy, set: { enabled: true } });
    const run = await runtime.warmer.startRun({ trigger: 'manual', triggeredBy: 'bench', scope: { strategies } });
    const summary = await run.done;
    await runtime.effect.idle();
    await runtime.coverage.idle();
    log(`Warmed: ${summary.status}, ${summary.strategies.map((s) => `${s.strategy} ${s.warmed}`).join(', ')}`);

    // The truth: per strategy, which of its warmed keys the shop will read.
    const rows = await database.db.select({ key: warmKeys.key, strategy: warmKeys.strategy }).from(warmKeys).where(eq(warmKeys.runId, run.runId));
    const random = mulberry32(7);
    const chosen = new Map<string, string[]>();
    for (const s of strategies) {
      const keys = rows.filter((r) => r.strategy === s).map((r) => r.key);
      chosen.set(s, keys.filter(() => random() < READ_SHARE[s]!));
    }
    const readable = [...chosen.values()].flat();
    // Past Kiln's idle-time slack before the first read (a read within 2 s of the write cannot be told from it).
    await new Promise((r) => setTimeout(r, 3_000));
    await runtime.effect.sampleKeyspace(new Date());
    const truthRead = new Set<string>();
    let hits = 0;
    let misses = 0;
    let dbQueries = 0;
    const planned = options.rps * options.seconds;
    let sent = 0;
    const started = performance.now();
    // Every chosen key once first (so the truth is exactly the chosen set), then a mix: 80% warmed keys, 20% keys never warmed.
    const queue = [...readable];
    while (performance.now() - started < options.seconds * 1000) {
      const due = Math.floor(((performance.now() - started) / 1000) * options.rps);
      const batch: string[] = [];
      while (sent + batch.length < due && batch.length < 200) {
        batch.push(queue.length ? queue.pop()! : random() < 0.8 && readable.length ? readable[Math.floor(random() * readable.length)]! : `Product:id:${options.products + 1 + Math.floor(random() * 100_000)}`);
      }
      if (batch.length) {
        const values = await shop.mget(...batch.map((k) => `shop:${k}`));
        values.forEach((v, i) => {
          if (v === null) {
            misses++;
            dbQueries++; // a miss: the shop loads from its database
          } else {
            hits++;
            truthRead.add(batch[i]!);
          }
        });
        sent += batch.length;
      } else await new Promise((r) => setTimeout(r, 5));
    }
    const behind = planned - sent;
    // A few requests short is the last tick's rounding; more than 1% short means the simulator could not keep the rate.
    const fellBehind = behind > planned * 0.01;
    await new Promise((r) => setTimeout(r, 1000));
    await runtime.effect.sampleKeyspace(new Date(Date.now() + 10_000));
    const history = await (await import('@/server/effect/used-queries')).getKeyspaceHistory(database, { from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() + 60_000) }, 5);
    const kilnHitRatio = history.points.at(-1)?.hitRatio ?? null;
    const trueHitRatio = hits / (hits + misses);

    const result: Record<string, { kilnUsed: number; kilnLow: number; kilnHigh: number; trueUsed: number; sampled: number; warmed: number; inside: boolean }> = {};
    for (const s of strategies) {
      const warmSet = rows.filter((r) => r.strategy === s).map((r) => r.key);
      if (warmSet.length === 0) continue;
      const check = await checkWarmSet(runtime, run.runId, s, '10m');
      if (!check) continue;
      const w = wilsonInterval(check.counts.used, check.sampled)!;
      const trueUsed = warmSet.filter((k) => truthRead.has(k)).length / warmSet.length;
      result[s] = { kilnUsed: round(w.share, 4), kilnLow: round(w.low, 4), kilnHigh: round(w.high, 4), trueUsed: round(trueUsed, 4), sampled: check.sampled, warmed: warmSet.length, inside: trueUsed >= w.low && trueUsed <= w.high };
    }
    console.log('');
    console.log('strategy          warmed  sampled  Kiln used (95% interval)   true used  inside');
    for (const [s, r] of Object.entries(result)) {
      console.log(
        `${s.padEnd(17)} ${String(r.warmed).padStart(6)}  ${String(r.sampled).padStart(7)}  ${(r.kilnUsed * 100).toFixed(1).padStart(5)}% (${(r.kilnLow * 100).toFixed(1)}–${(r.kilnHigh * 100).toFixed(1)})`.padEnd(54) +
          `${(r.trueUsed * 100).toFixed(1).padStart(6)}%  ${r.inside ? 'yes' : 'NO'}`,
      );
    }
    console.log(`keyspace hit ratio: Kiln ${kilnHitRatio === null ? '–' : (kilnHitRatio * 100).toFixed(1) + '%'}, simulator ${(trueHitRatio * 100).toFixed(1)}%`);
    console.log(`requests: ${sent} sent of ${planned} planned${fellBehind ? ` (FELL BEHIND by ${behind})` : ''}; DB queries ${dbQueries} (${round((dbQueries / Math.max(1, sent)) * 1000, 1)} per 1,000 requests sent)`);
    print({
      measurement: 'effect-direct',
      strategies: Object.fromEntries(Object.entries(result).map(([s, r]) => [s, { kilnUsed: r.kilnUsed, trueUsed: r.trueUsed, kilnLow: r.kilnLow, kilnHigh: r.kilnHigh, sampled: r.sampled }])),
      kilnHitRatio: kilnHitRatio === null ? null : round(kilnHitRatio, 4),
      trueHitRatio: round(trueHitRatio, 4),
      requestsSent: sent,
      requestsPlanned: planned,
      fellBehind,
      dbQueriesPer1000: round((dbQueries / Math.max(1, sent)) * 1000, 1),
    });
  } finally {
    shop.disconnect();
    await runtime.stop();
    await cache.close().catch(() => {});
    await database.close?.();
    stopRedis();
  }
}

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
