import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import * as hitRate from '@/app/api/effect/hit-rate/route';
import * as product from '@/app/api/shop/products/[id]/route';
import type { HitRate, HitRatePoint } from '@/lib/api/effect';
import type { Database } from '@/server/db/client';
import { errorOf, request, signedIn } from '../../support/api';
import { useTestDatabase } from '../../support/db';
import { useTestRuntime } from '../../support/runtime';

type Row = { at: string; family: string; hits: number; misses: number; dbQueries: number };

// Minute rows of three families across two 5-minute buckets (10:00 and 10:05), and one outside the range.
const ROWS: Row[] = [
  { at: '2026-03-02T10:00:00Z', family: 'products', hits: 90, misses: 10, dbQueries: 10 },
  { at: '2026-03-02T10:03:00Z', family: 'products', hits: 30, misses: 20, dbQueries: 20 },
  { at: '2026-03-02T10:04:00Z', family: 'sessions', hits: 0, misses: 4, dbQueries: 4 },
  { at: '2026-03-02T10:07:00Z', family: 'categories', hits: 50, misses: 0, dbQueries: 0 },
  { at: '2026-03-02T10:20:00Z', family: 'products', hits: 1000, misses: 1000, dbQueries: 1000 },
];
const RANGE = 'from=2026-03-02T10:00:00Z&to=2026-03-02T10:15:00Z';

async function insertRows(database: Database, rows: Row[]) {
  for (const r of rows) {
    await database.rows(sql`insert into cache_reads (bucket_start, family, hits, misses, db_queries)
      values (${r.at}::timestamptz, ${r.family}, ${r.hits}, ${r.misses}, ${r.dbQueries})`);
  }
}

async function insertRun(database: Database, run: { createdAt: string; finishedAt: string | null; dryRun?: boolean; strategies?: string[] }): Promise<string> {
  const [row] = await database.rows<{ id: string }>(sql`
    insert into runs (trigger, triggered_by, scope, strategies, concurrency, owner, status, created_at, finished_at, dry_run)
    values ('manual', 'test', '{"all":true}'::jsonb, ${`{${(run.strategies ?? ['hot_products']).join(',')}}`}::text[], 4, 'test',
            ${run.finishedAt ? 'succeeded' : 'running'}, ${run.createdAt}::timestamptz, ${run.finishedAt}::timestamptz, ${run.dryRun ?? false})
    returning id::text as id`);
  return row!.id;
}

/** The expected point of a family's bucket, computed from the rows above. */
function expectedPoint(family: string, from: string, to: string): Omit<HitRatePoint, 'bucketStart'> {
  const inBucket = ROWS.filter((r) => r.family === family && r.at >= from && r.at < to);
  const hits = inBucket.reduce((n, r) => n + r.hits, 0);
  const misses = inBucket.reduce((n, r) => n + r.misses, 0);
  const dbQueries = inBucket.reduce((n, r) => n + r.dbQueries, 0);
  const reads = hits + misses;
  return {
    hits,
    misses,
    reads,
    hitRate: reads ? hits / reads : null,
    dbQueries,
    dbQueriesAvoided: hits,
    dbLoadSaved: hits + dbQueries ? hits / (hits + dbQueries) : null,
  };
}

async function get(session: string, query: string) {
  return hitRate.GET(request(`/api/effect/hit-rate?${query}`, { session }), undefined);
}

describe('GET /api/effect/hit-rate', () => {
  it('sums the minute rows per family into zero-filled buckets, with hit rate, queries made and avoided, and totals', async () => {
    const { database } = await useTestDatabase({ shop: true });
    await useTestRuntime(database);
    const viewer = await signedIn(database, 'viewer');
    await insertRows(database, ROWS);

    const response = await get(viewer.session, `${RANGE}&bucket=5m`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as HitRate;
    expect(body).toMatchObject({ from: '2026-03-02T10:00:00.000Z', to: '2026-03-02T10:15:00.000Z', bucket: '5m' });
    expect(body.families.map((f) => [f.family, f.queriesPerMiss])).toEqual([
      ['products', 1],
      ['categories', 1],
      ['recommendations', 1],
      ['sessions', 1],
    ]);
    expect(body.families[0]!.strategies).toEqual(['hot_products', 'product_catalog']);
    expect(body.series.map((s) => s.family)).toEqual(['products', 'categories', 'recommendations', 'sessions', 'all']);

    const buckets = ['2026-03-02T10:00:00.000Z', '2026-03-02T10:05:00.000Z', '2026-03-02T10:10:00.000Z'];
    for (const series of body.series.filter((s) => s.family !== 'all')) {
      expect(series.points.map((p) => p.bucketStart)).toEqual(buckets);
      series.points.forEach((point, i) => {
        const to = i + 1 < buckets.length ? buckets[i + 1]! : '2026-03-02T10:15:00.000Z';
        expect(point, `${series.family} ${point.bucketStart}`).toEqual({ bucketStart: buckets[i], ...expectedPoint(series.family, buckets[i]!.replace('.000', ''), to.replace('.000', '')) });
      });
    }
    const all = body.series.at(-1)!.points;
    expect(all.map((p) => [p.hits, p.misses, p.dbQueries, p.dbQueriesAvoided])).toEqual([
      [120, 34, 34, 120],
      [50, 0, 0, 50],
      [0, 0, 0, 0],
    ]);
    expect(all[2]!.hitRate).toBeNull();
    expect(body.totals.find((t) => t.family === 'products')).toMatchObject({ hits: 120, misses: 30, hitRate: 0.8, dbQueries: 30, dbQueriesAvoided: 120, dbLoadSaved: 0.8 });
    expect(body.totals.find((t) => t.family === 'all')).toMatchObject({ hits: 170, misses: 34, reads: 204, dbQueries: 34, dbQueriesAvoided: 170 });
  });

  it('marks the non-dry runs that overlap the range, oldest first', async () => {
    const { database } = await useTestDatabase({ shop: true });
    await useTestRuntime(database);
    const viewer = await signedIn(database, 'viewer');
    const before = await insertRun(database, { createdAt: '2026-03-02T09:59:00Z', finishedAt: '2026-03-02T10:01:00Z', strategies: ['categories'] });
    const inside = await insertRun(database, { createdAt: '2026-03-02T10:06:00Z', finishedAt: '2026-03-02T10:06:30Z' });
    const running = await insertRun(database, { createdAt: '2026-03-02T10:12:00Z', finishedAt: null });
    await insertRun(database, { createdAt: '2026-03-02T10:07:00Z', finishedAt: '2026-03-02T10:08:00Z', dryRun: true });
    await insertRun(database, { createdAt: '2026-03-02T09:00:00Z', finishedAt: '2026-03-02T09:10:00Z' });
    await insertRun(database, { createdAt: '2026-03-02T10:15:00Z', finishedAt: '2026-03-02T10:16:00Z' });

    const body = (await (await get(viewer.session, RANGE)).json()) as HitRate;
    expect(body.bucket).toBe('1m');
    expect(body.series[0]!.points).toHaveLength(15);
    expect(body.runs.map((r) => r.id)).toEqual([before, inside, running]);
    expect(body.runs[0]).toEqual({
      id: before,
      trigger: 'manual',
      triggeredBy: 'test',
      strategies: ['categories'],
      status: 'succeeded',
      startedAt: '2026-03-02T09:59:00.000Z',
      finishedAt: '2026-03-02T10:01:00.000Z',
    });
    expect(body.runs[2]).toMatchObject({ status: 'running', finishedAt: null });
    expect(body.runsTruncated).toBe(false);
  });

  it('shows the shop reads served over HTTP once the counts are flushed', async () => {
    const { database } = await useTestDatabase({ shop: true });
    const runtime = await useTestRuntime(database);
    const viewer = await signedIn(database, 'viewer');
    const [row] = await database.rows<{ id: number }>(sql`select id from products where status = 'active' order by id limit 1`);
    const started = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 60_000);
    for (let i = 0; i < 3; i++) {
      const read = await product.GET(request(`/api/shop/products/${row!.id}`, { session: viewer.session }), { params: Promise.resolve({ id: String(row!.id) }) });
      expect(read.status).toBe(200);
    }
    await runtime.shop.counter.flush();
    const body = (await (await get(viewer.session, `from=${started.toISOString()}&family=products`)).json()) as HitRate;
    expect(body.series.map((s) => s.family)).toEqual(['products', 'all']);
    expect(body.totals[0]).toMatchObject({ family: 'products', hits: 2, misses: 1, dbQueries: 1, dbQueriesAvoided: 2 });
  });

  it('needs a signed-in viewer and refuses a bad range or too many points, naming the field', async () => {
    const { database } = await useTestDatabase({ shop: true });
    await useTestRuntime(database);
    const viewer = await signedIn(database, 'viewer');
    expect((await hitRate.GET(request('/api/effect/hit-rate'), undefined)).status).toBe(401);
    expect(await errorOf(await get(viewer.session, 'from=2026-03-02T10:00:00Z&to=2026-03-02T09:00:00Z'))).toMatchObject({ status: 400, field: 'from' });
    expect(await errorOf(await get(viewer.session, 'from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z&bucket=1m'))).toMatchObject({ status: 400, field: 'bucket' });
    expect(await errorOf(await get(viewer.session, 'family=widgets'))).toMatchObject({ status: 400, field: 'family' });
    expect(await errorOf(await get(viewer.session, 'from=yesterday'))).toMatchObject({ status: 400, field: 'from' });
    expect(await errorOf(await get(viewer.session, 'colour=red'))).toMatchObject({ status: 400, field: 'colour' });
  });
});
