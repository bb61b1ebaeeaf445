import { type ChildProcess, spawn } from 'node:child_process';
import { eq, sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { describe, expect, it, onTestFinished } from 'vitest';
import * as diffRoute from '@/app/api/runs/[id]/diff/route';
import * as effectRoute from '@/app/api/runs/[id]/effect/route';
import type { RunDiff, RunEffect } from '@/lib/api/used';
import { RedisCache } from '@/server/cache/redis-cache';
import { effectSamples, runWarmSets, warmKeys } from '@/server/db/schema';
import { checkWarmSet } from '@/server/effect/check-warm-set';
import type { Runtime } from '@/server/runtime';
import { request, signedIn } from '../../support/api';
import { useTestDatabase } from '../../support/db';
import { fakeStrategy, sleep } from '../../support/fake-strategy';
import { useTestRuntime } from '../../support/runtime';

// This helper's own Redis instances (ports 56471-56479), each started with the policy under test.
let nextPort = 56471;

async function ownRedis(policy: string): Promise<{ url: string; raw: Redis }> {
  const port = nextPort++;
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory', '64mb', '--maxmemory-policy', policy], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  onTestFinished(async () => {
    if (child.exitCode !== null) return;
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
  });
  for (let i = 0; ; i++) {
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => {});
    try {
      await probe.connect();
      break;
    } catch (error) {
      if (i > 50) throw error;
      await sleep(100);
    } finally {
      probe.disconnect();
    }
  }
  const raw = new Redis(url, { maxRetriesPerRequest: 1 });
  onTestFinished(() => raw.disconnect());
  return { url, raw };
}

const KEYS = Array.from({ length: 40 }, (_, i) => `Thing:id:${i + 1}`);
const PREFIX = 'kiln-effect:';

async function setup(policy: string) {
  const { database } = await useTestDatabase();
  const redis = await ownRedis(policy);
  const cache = new RedisCache({ kind: 'redis', url: redis.url }, { keyPrefix: PREFIX });
  await cache.ready();
  onTestFinished(() => cache.close());
  const runtime = await useTestRuntime(database, { cache, strategies: [fakeStrategy({ name: 'things', keys: KEYS, batch: true, ttlSeconds: 3600 })], env: { KILN_CHANGE_STREAM: 'off' } });
  return { database, cache, runtime, raw: redis.raw };
}

async function warm(runtime: Runtime): Promise<string> {
  const run = await runtime.warmer.startRun({ trigger: 'manual', triggeredBy: 'test', scope: { strategies: ['things'] } });
  expect((await run.done).status).toBe('succeeded');
  await runtime.effect.idle();
  await runtime.coverage.idle();
  return run.runId;
}

async function keyspaceHits(raw: Redis): Promise<{ hits: number; misses: number }> {
  const info = await raw.info('stats');
  return { hits: Number(/keyspace_hits:(\d+)/.exec(info)![1]), misses: Number(/keyspace_misses:(\d+)/.exec(info)![1]) };
}

describe('used and unread warming, read from Redis without touching the keys', () => {
  for (const policy of ['allkeys-lru', 'allkeys-lfu']) {
    it(`under ${policy}, counts exactly the keys the shop read as used, deleted ones as gone, and Kiln's own PTTL checks and re-warms as no reads`, async () => {
      const { database, cache, runtime, raw } = await setup(policy);
      const first = await warm(runtime);

      // The run kept its whole warm set and a sample of all 40 keys, each with its write time.
      const [set] = await database.db.select().from(runWarmSets).where(eq(runWarmSets.runId, first));
      expect(set).toMatchObject({ strategy: 'things', kept: 40, keepRate: 1, truncated: false });
      expect(set!.sample).toHaveLength(40);
      expect((await database.db.select({ n: sql<number>`count(*)::int` }).from(warmKeys).where(eq(warmKeys.runId, first)))[0]!.n).toBe(40);

      // Kiln's write over existing keys reads nothing: no keyspace hit or miss (SET ... GET counted one each).
      const before = await keyspaceHits(raw);
      await cache.setMany(KEYS.map((key) => ({ key, value: JSON.stringify({ key, again: true }), ttlSeconds: 3600 })));
      expect(await keyspaceHits(raw)).toEqual(before);
      // A second run re-warms every key; after it, only its coverage sample (PTTL) and its end check (OBJECT) look keys up.
      const second = await warm(runtime);
      const after = await keyspaceHits(raw);
      expect(after.hits - before.hits).toBe(2 * KEYS.length);

      // Past the idle-time slack, the shop reads 10 keys with its own client; Kiln checks PTTLs (a coverage-like read).
      await sleep(3_500);
      const read = KEYS.slice(0, 10);
      const shop = new Redis(raw.options.port!, '127.0.0.1');
      onTestFinished(() => void shop.disconnect());
      for (const key of read) expect(await shop.get(PREFIX + key)).not.toBeNull();
      await cache.ttlMsMany(KEYS);
      await raw.unlink(PREFIX + KEYS[39]!, PREFIX + KEYS[38]!);

      const result = await checkWarmSet(runtime, second, 'things', '10m');
      expect(result).toMatchObject({ inserted: true, method: policy.includes('lfu') ? 'freq' : 'idletime', policy, sampled: 40 });
      expect(result!.counts).toEqual({ used: 10, unread: 28, gone: 2, unknown: 0 });
      const rows = await database.db.select().from(effectSamples).where(eq(effectSamples.runId, second));
      expect(rows.find((r) => r.checkpoint === '10m')).toMatchObject({ used: 10, unread: 28, gone: 2, unknown: 0 });
      // The check at the run's end came too soon after the writes for an idle time to tell (LRU), while LFU's counters already could.
      expect(rows.find((r) => r.checkpoint === 'end')).toMatchObject(policy.includes('lfu') ? { used: 0, unread: 40, unknown: 0 } : { used: 0, unread: 0, unknown: 40 });

      // The first run's keys were all re-warmed by the second: its evidence is gone, except the reads after it.
      const old = await checkWarmSet(runtime, first, 'things', '10m');
      expect(old!.counts).toEqual({ used: 10, unread: 0, gone: 2, unknown: 28 });

      // The run's effect answers through its route too.
      const viewer = await signedIn(database, 'viewer');
      const response = await effectRoute.GET(request(`/api/runs/${second}/effect`, { session: viewer.session }), { params: Promise.resolve({ id: second }) });
      const body = (await response.json()) as RunEffect;
      expect(body.strategies[0]).toMatchObject({ strategy: 'things', warmed: 40, kept: 40 });
      expect(body.strategies[0]!.samples.find((s) => s.checkpoint === '10m')).toMatchObject({ used: 10, unread: 28, gone: 2 });
    }, 60_000);
  }
});

describe('run diff', () => {
  it('names the keys added, dropped, newly failing and no longer failing against the previous run, and keeps two warm sets per strategy', async () => {
    const { database } = await useTestDatabase();
    const redis = await ownRedis('allkeys-lru');
    const cache = new RedisCache({ kind: 'redis', url: redis.url }, { keyPrefix: PREFIX });
    await cache.ready();
    onTestFinished(() => cache.close());
    let listing = ['a', 'b', 'c', 'd'];
    let failing = new Set(['d']);
    const strategy = fakeStrategy({ name: 'things', keys: [], ttlSeconds: 600 });
    strategy.keys = async function* () {
      yield listing;
    };
    strategy.load = async (key) => {
      if (failing.has(key)) throw new Error(`no row for ${key}`);
      return JSON.stringify({ key });
    };
    const runtime = await useTestRuntime(database, { cache, strategies: [strategy], env: { KILN_CHANGE_STREAM: 'off' } });
    const run = async () => {
      const r = await runtime.warmer.startRun({ trigger: 'manual', triggeredBy: 'test', scope: { strategies: ['things'] } });
      await r.done;
      return r.runId;
    };
    const first = await run();
    listing = ['b', 'c', 'd', 'e'];
    failing = new Set(['b']);
    const second = await run();

    const viewer = await signedIn(database, 'viewer');
    const get = async (id: string) => {
      const response = await diffRoute.GET(request(`/api/runs/${id}/diff`, { session: viewer.session }), { params: Promise.resolve({ id }) });
      expect(response.status).toBe(200);
      return (await response.json()) as RunDiff;
    };
    const diff = await get(second);
    expect(diff.strategies).toHaveLength(1);
    expect(diff.strategies[0]).toMatchObject({
      strategy: 'things',
      previousRunId: first,
      method: 'exact',
      added: 1,
      dropped: 1,
      newlyFailing: 1,
      noLongerFailing: 1,
      examples: { added: ['e'], dropped: ['a'], newlyFailing: ['b'], noLongerFailing: ['d'] },
    });
    // The first run has no previous one: its failures are all new, nothing is compared.
    expect((await get(first)).strategies[0]).toMatchObject({ previousRunId: null, method: 'none', newlyFailing: 1 });

    // A third run: the first run's keys are pruned (two warm sets kept), the second's and third's stay.
    await run();
    const kept = await database.db.select({ runId: warmKeys.runId, n: sql<number>`count(*)::int` }).from(warmKeys).groupBy(warmKeys.runId);
    expect(kept.map((k) => k.runId).sort()).not.toContain(first);
    expect(kept).toHaveLength(2);
    expect(kept.find((k) => k.runId === second)?.n).toBe(3);

    // An unknown run is a 404.
    const missing = await diffRoute.GET(request('/api/runs/00000000-0000-4000-8000-000000000000/diff', { session: viewer.session }), {
      params: Promise.resolve({ id: '00000000-0000-4000-8000-000000000000' }),
    });
    expect(missing.status).toBe(404);
  }, 60_000);
});
