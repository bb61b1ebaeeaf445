import { describe, expect, it } from 'vitest';
import { ensureDefaultSchedules } from '@/server/scheduling/default-schedules';
import { scheduleCoverage } from '@/server/scheduling/schedule-coverage';
import { createSchedule } from '@/server/scheduling/create-schedule';
import { strategySettings } from '@/server/db/schema';
import { useTestDatabase } from '../../support/db';
import { writeContext } from '../../support/scheduling';
import { shopRegistry } from '../../support/shop-strategies';

const HOUR = 3600_000;

describe('schedule coverage', () => {
  it('shows that the default schedules leave sessions and recommendations uncovered most of the week, and a schedule suggested for them closes it', async () => {
    const { database } = await useTestDatabase();
    const context = writeContext(database, 'UTC');
    await ensureDefaultSchedules(context);
    // DESIGN.md's TTLs, set as an operator would (the test strategies have their own).
    await database.db.insert(strategySettings).values([
      { strategy: 'hot_products', ttlSeconds: 7200 },
      { strategy: 'recommendations', ttlSeconds: 1800 },
      { strategy: 'categories', ttlSeconds: 14400 },
      { strategy: 'sessions', ttlSeconds: 900 },
    ]);
    const registry = shopRegistry();
    const now = new Date('2026-12-02T12:00:00Z'); // a Wednesday
    const byName = async () => new Map((await scheduleCoverage({ database, registry }, { now })).map((c) => [c.strategy, c]));

    const before = await byName();
    expect([...before.keys()]).toEqual(expect.arrayContaining(['categories', 'hot_products', 'recommendations', 'sessions']));
    const sessions = before.get('sessions')!;
    // Nightly (daily 02:00) and the Saturday promotion (01:00) warm sessions: 8 runs a week, each kept a TTL.
    expect(sessions.schedules.sort()).toEqual(['Nightly full warmup', 'Weekend promotion warmup']);
    expect(sessions.coveredFraction).toBeCloseTo((8 * sessions.ttlSeconds) / (7 * 24 * 3600), 6);
    expect(sessions.gapCount).toBe(9);
    expect(sessions.gaps[0]).toEqual({ from: '2026-12-02T12:00:00.000Z', to: '2026-12-03T02:00:00.000Z' });
    expect(sessions.ttlSeconds).toBe(900);
    expect(sessions.suggestion).toEqual({ cron: '*/10 * * * *', everyMinutes: 10, description: 'every 10 minutes' });
    const recommendations = before.get('recommendations')!;
    expect(recommendations.coveredFraction).toBeLessThan(0.1);
    expect(recommendations.suggestion?.cron).toBe('*/20 * * * *');
    // Incremental hot data (every 30 min, TTL 2 h) and category refresh (every 6 h, TTL 4 h): one gap-free, one not.
    expect(before.get('hot_products')).toMatchObject({ coveredFraction: 1, gapCount: 0, suggestion: null });
    const categories = before.get('categories')!;
    expect(categories.longestGapMs).toBe(2 * HOUR);

    await createSchedule(context, { name: 'Keep sessions warm', cron: sessions.suggestion!.cron, scope: { strategies: ['sessions'] } }, 'ops');
    expect((await byName()).get('sessions')).toMatchObject({ coveredFraction: 1, gapCount: 0, gaps: [], suggestion: null });
  });
});
