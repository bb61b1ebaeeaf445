import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Database } from '@/server/db/client';
import { ReadCounter } from '@/server/reads/read-counter';
import { useTestDatabase } from '../../support/db';
import { startTestRuntime } from '../../support/runtime';

const at = Date.parse('2026-03-02T10:15:00Z');

async function rows(database: Database) {
  return database.rows<{ family: string; hits: number; misses: number; db_queries: number }>(sql`
    select family, hits::int, misses::int, db_queries::int from cache_reads order by bucket_start, family`);
}

/**
 * The database as a flush sees it when the network fails: `lostReplies` statements are executed
 * (and committed) but their caller gets an error, as when the connection drops after the commit;
 * `refusals` statements fail before they reach Postgres.
 */
function unreliable(database: Database, faults: { lostReplies?: number; refusals?: number }): Database & { calls: number } {
  const wrapper = Object.create(database) as Database & { calls: number };
  wrapper.calls = 0;
  wrapper.rows = async (query) => {
    wrapper.calls++;
    if (faults.refusals && faults.refusals > 0) {
      faults.refusals--;
      throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    }
    const result = await database.rows(query);
    if (faults.lostReplies && faults.lostReplies > 0) {
      faults.lostReplies--;
      throw new Error('write CONNECTION_CLOSED 127.0.0.1:5432');
    }
    return result as never;
  };
  return wrapper;
}

describe('shop read counts', () => {
  it('are added once when a flush is retried after its reply was lost', async () => {
    const { database } = await useTestDatabase();
    const flaky = unreliable(database, { lostReplies: 1 });
    const counter = new ReadCounter(flaky, { now: () => at });
    for (let i = 0; i < 3; i++) counter.record('products', true);
    counter.record('products', false, 2);
    expect(await counter.flush()).toBe(0); // committed, but the process could not know
    expect(counter.pending()).toEqual({ products: { hits: 3, misses: 1, dbQueries: 2 } });
    counter.record('sessions', false, 1);
    await counter.flush(); // the retry of the first batch, and a new one
    expect(counter.pending()).toEqual({});
    expect(await rows(database)).toEqual([
      { family: 'products', hits: 3, misses: 1, db_queries: 2 },
      { family: 'sessions', hits: 0, misses: 1, db_queries: 1 },
    ]);
    const [ids] = await database.rows<{ n: number }>(sql`select count(*)::int as n from cache_read_flushes`);
    expect(ids!.n).toBe(2);
  });

  it('are added once by two processes each retrying a lost flush into the same minute', async () => {
    const { database } = await useTestDatabase();
    const a = new ReadCounter(unreliable(database, { lostReplies: 2 }), { now: () => at });
    const b = new ReadCounter(unreliable(database, { lostReplies: 1 }), { now: () => at });
    for (let i = 0; i < 5; i++) a.record('categories', true);
    for (let i = 0; i < 7; i++) b.record('categories', true);
    for (let round = 0; round < 3; round++) await Promise.all([a.flush(), b.flush()]);
    expect(await rows(database)).toEqual([{ family: 'categories', hits: 12, misses: 0, db_queries: 0 }]);
  });

  it('are written when the runtime stops (SIGTERM), retrying through a database blip', async () => {
    const { database } = await useTestDatabase();
    const flaky = unreliable(database, { refusals: 3 });
    const counter = new ReadCounter(flaky, { now: () => at });
    counter.record('recommendations', true);
    counter.record('recommendations', false, 1);
    await counter.stop();
    expect(flaky.calls).toBeGreaterThan(3);
    expect(counter.pending()).toEqual({});
    expect(await rows(database)).toEqual([{ family: 'recommendations', hits: 1, misses: 1, db_queries: 1 }]);
  });

  it('are written by the runtime\u2019s stop, which SIGTERM calls, for reads served up to then', async () => {
    const { database } = await useTestDatabase({ shop: true });
    const runtime = await startTestRuntime(database, { workers: false });
    const [product] = await database.rows<{ id: number }>(sql`select id from products order by id limit 1`);
    await runtime.shop.reads.product(product!.id);
    await runtime.shop.reads.product(product!.id);
    expect(await rows(database)).toEqual([]);
    await runtime.stop();
    expect(await rows(database)).toEqual([{ family: 'products', hits: 1, misses: 1, db_queries: 1 }]);
  });
});
