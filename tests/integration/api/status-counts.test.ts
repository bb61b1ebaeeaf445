import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { MemoryCache } from '@/server/cache/memory-cache';
import { getSystemStatus } from '@/server/status/get-system-status';
import { useTestDatabase } from '../../support/db';

describe('the status endpoint polled by the dashboard', () => {
  it('measures the backends on every call but counts the shop at most every 30 s (exact counts of big tables)', async () => {
    const { database } = await useTestDatabase({ shop: true });
    const deps = { database, cache: new MemoryCache({ maxBytes: 1 << 20 }), startedAt: new Date() };
    const first = await getSystemStatus(deps);
    expect(first.shop!.activeProducts).toBeGreaterThan(0);
    expect(first.shopCountedAt).toBeDefined();

    await database.rows(sql`update products set status = 'inactive' where id = (select min(id) from products where status = 'active')`);
    await new Promise((r) => setTimeout(r, 20));
    const second = await getSystemStatus(deps);
    // The health is new; the counts are the same answer, and say when they were taken.
    expect(Date.parse(second.checkedAt)).toBeGreaterThan(Date.parse(first.checkedAt));
    expect(second.shop).toEqual(first.shop);
    expect(second.shopCountedAt).toBe(first.shopCountedAt);
  });
});
