import { describe, expect, test } from 'vitest';
import type { ChangeStreamView, FreshnessOverview } from '@/lib/api/freshness';
import { delayRows, describeStream } from '@/lib/ui/freshness';

const base: ChangeStreamView = {
  mode: 'logical', state: 'streaming', slot: 'kiln_shop', holder: 'web-1:42', lagBytes: 1024, pendingChanges: null, changesPerSecond: 10,
  lastError: null, warning: null, droppedAt: null, dropReason: null, updatedAt: '2026-12-02T10:00:00.000Z', maxRetainedBytes: 1 << 30,
};
const now = new Date('2026-12-02T10:00:05.000Z');

describe('the change stream in words', () => {
  test('streaming, with its holder', () => {
    expect(describeStream(base, now)).toEqual({ tone: 'ok', label: 'streaming', detail: 'logical replication (slot kiln_shop), read by web-1:42.' });
  });
  test('a state nobody refreshed for 15 s means no process consumes', () => {
    expect(describeStream(base, new Date('2026-12-02T10:00:20.000Z'))).toMatchObject({ tone: 'bad', label: 'no consumer' });
  });
  test('the guard\u2019s warning, a failure and off', () => {
    expect(describeStream({ ...base, warning: 'retains 600 MB' }, now)).toMatchObject({ tone: 'warn', label: 'lagging', detail: 'retains 600 MB' });
    expect(describeStream({ ...base, state: 'failed', lastError: 'Redis is down' }, now)).toMatchObject({ tone: 'bad', detail: expect.stringContaining('Redis is down') });
    expect(describeStream({ ...base, mode: 'off', state: 'off' }, now)).toMatchObject({ label: 'off' });
  });
});

test('delay rows hold each strategy\u2019s p50 and p95 per bucket, null where it re-warmed nothing', () => {
  const point = (bucketStart: string, p50: number) => ({ bucketStart, changes: 1, rewarmed: 1, deleted: 0, skipped: 0, failed: 0, p50Ms: p50, p95Ms: p50 * 2, maxMs: p50 * 3 });
  const totals = { changes: 0, rewarmed: 0, deleted: 0, skipped: 0, failed: 0, p50Ms: null, p95Ms: null, maxMs: null };
  const overview: FreshnessOverview = {
    stream: base, from: '2026-12-02T09:00:00.000Z', to: '2026-12-02T10:00:00.000Z', bucket: 'minute',
    strategies: [
      { strategy: 'hot_products', enabled: true, rewarmOnChange: true, totals, lastError: null, points: [point('2026-12-02T09:01:00.000Z', 100), point('2026-12-02T09:02:00.000Z', 200)] },
      { strategy: 'sessions', enabled: true, rewarmOnChange: true, totals, lastError: null, points: [point('2026-12-02T09:02:00.000Z', 50)] },
    ],
  };
  expect(delayRows(overview, ['hot_products', 'sessions'])).toEqual([
    { t: Date.parse('2026-12-02T09:01:00.000Z'), 'hot_products:p50': 100, 'hot_products:p95': 200, 'sessions:p50': null, 'sessions:p95': null },
    { t: Date.parse('2026-12-02T09:02:00.000Z'), 'hot_products:p50': 200, 'hot_products:p95': 400, 'sessions:p50': 50, 'sessions:p95': 100 },
  ]);
});
