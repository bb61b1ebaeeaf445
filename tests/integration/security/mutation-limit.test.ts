import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import * as runs from '@/app/api/runs/route';
import * as settings from '@/app/api/settings/route';
import { errorOf, request, signedIn } from '../../support/api';
import { useTestDatabase } from '../../support/db';
import { fakeStrategy, sleep } from '../../support/fake-strategy';
import { useTestRuntime } from '../../support/runtime';

const slow = () => fakeStrategy({ name: 'slow_one', keys: Array.from({ length: 200 }, (_, i) => `s:${i}`), value: async (k) => { await sleep(20); return k; } });

describe('the per-operator limit on changes', () => {
  it('lets fifty simultaneous triggers give one 202 and forty-nine 409s: the busy check comes first and a 409 is not counted', async () => {
    const { database } = await useTestDatabase();
    const runtime = await useTestRuntime(database, { strategies: [slow()], env: { KILN_MUTATION_RATE_LIMIT: '3' } });
    const operator = await signedIn(database, 'operator');
    const trigger = () => runs.POST(request('/api/runs', { session: operator.session, body: { scope: { strategies: ['slow_one'] }, concurrency: 1 } }), undefined);
    const statuses = (await Promise.all(Array.from({ length: 50 }, trigger))).map((r) => r.status).sort();
    expect(statuses).toEqual([202, ...Array(49).fill(409)]);
    const [counter] = await database.rows<{ count: number }>(sql`select count from rate_limits where key = ${`mutations:operator:${operator.id}`}`);
    expect(counter!.count).toBe(1);
  });

  it('answers 429 with Retry-After past the limit, counting only changes that happened, shared by every process through Postgres', async () => {
    const { database } = await useTestDatabase();
    await useTestRuntime(database, { env: { KILN_MUTATION_RATE_LIMIT: '3' } });
    const operator = await signedIn(database, 'operator');
    const other = await signedIn(database, 'operator', 'other@example.com');
    const patch = (session: string, body: unknown) => settings.PATCH(request('/api/settings', { method: 'PATCH', session, body }), undefined);
    // Bad input changes nothing and is not counted.
    for (let i = 0; i < 5; i++) expect((await patch(operator.session, { maxConcurrency: -1 })).status).toBe(400);
    for (const n of [4, 5, 6]) expect((await patch(operator.session, { maxConcurrency: n })).status).toBe(200);
    const refused = await patch(operator.session, { maxConcurrency: 7 });
    expect(await errorOf(refused)).toMatchObject({ status: 429, code: 'rate_limited' });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const [row] = await database.rows<{ max_concurrency: number }>(sql`select max_concurrency from settings`);
    expect(row!.max_concurrency).toBe(6);
    // Reads are not limited, and another operator has a minute of their own.
    expect((await runs.GET(request('/api/runs', { session: operator.session }), undefined)).status).toBe(200);
    expect((await patch(other.session, { maxConcurrency: 8 })).status).toBe(200);
    // The next window starts afresh (its start is the database's clock, the same for every replica).
    await database.rows(sql`update rate_limits set window_start = window_start - interval '1 minute' where key like 'mutations:%'`);
    expect((await patch(operator.session, { maxConcurrency: 9 })).status).toBe(200);
  });
});
