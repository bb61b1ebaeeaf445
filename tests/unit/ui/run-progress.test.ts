import { describe, expect, it } from 'vitest';
import type { RunProgress } from '@/lib/api/runs';
import { type LiveRun, summarizeProgress } from '@/lib/ui/run-progress';

const run = (over: Partial<LiveRun> & { progress: RunProgress | null }): LiveRun => ({
  id: 'r',
  status: 'running',
  concurrency: 20,
  total: 0,
  warmed: 0,
  skipped: 0,
  failed: 0,
  cancelRequestedAt: null,
  durationMs: null,
  error: null,
  ...over,
});

const done = (strategy: string, total: number, failed = 0) => ({ strategy, outcome: failed ? 'partial' : 'succeeded', total, warmed: total - failed, skipped: 0, failed });

describe('a run’s progress summary', () => {
  it('adds the finished strategies and the current one, each strategy an equal share of the bar', () => {
    const s = summarizeProgress(
      run({
        progress: {
          strategy: 'categories',
          position: 1,
          strategiesTotal: 4,
          current: { strategy: 'categories', expected: 20, done: 5, warmed: 4, skipped: 0, failed: 1, keysPerSecond: 250, elapsedMs: 20 },
          completed: [done('hot_products', 100, 2)],
          concurrency: 20,
          inFlight: 3,
          shards: null,
          phase: 'warming',
          phaseSince: null,
          waitingFor: null,
        },
      }),
    );
    expect(s).toMatchObject({ done: 105, known: 120, warmed: 102, failed: 3, position: 2, strategiesTotal: 4, keysPerSecond: 250, totalKnown: false });
    expect(s.fraction).toBeCloseTo((1 + 5 / 20) / 4);
  });

  it('counts the last strategy once when the final snapshot lists it as both current and completed', () => {
    const s = summarizeProgress(
      run({
        status: 'succeeded',
        total: 126,
        warmed: 126,
        progress: {
          strategy: null,
          position: 2,
          strategiesTotal: 2,
          current: { strategy: 'categories', expected: 26, done: 26, warmed: 26, skipped: 0, failed: 0, keysPerSecond: 2991, elapsedMs: 9 },
          completed: [done('hot_products', 100), done('categories', 26)],
          concurrency: 1,
          inFlight: 0,
          shards: null,
          phase: null,
          phaseSince: null,
          waitingFor: null,
        },
      }),
    );
    expect(s).toMatchObject({ done: 126, known: 126, warmed: 126, position: 2, fraction: 1, totalKnown: true });
  });

  it('leaves the current strategy’s share open while its size is unknown, and a cancelled run where it stopped', () => {
    const progress: RunProgress = {
      strategy: 'hot_products',
      position: 0,
      strategiesTotal: 2,
      current: { strategy: 'hot_products', expected: null, done: 40, warmed: 40, skipped: 0, failed: 0, keysPerSecond: 80, elapsedMs: 500 },
      completed: [],
      shards: { total: 1, queued: 0, running: 1, settled: 0, retried: 0 },
      phase: 'warming',
      phaseSince: null,
      waitingFor: null,
      concurrency: 20,
      inFlight: 20,
    };
    expect(summarizeProgress(run({ progress }))).toMatchObject({ currentFraction: null, fraction: 0, known: 40, totalKnown: false });
    const cancelled = summarizeProgress(run({ status: 'cancelled', total: 40, warmed: 40, progress: { ...progress, completed: [done('hot_products', 40)] } }));
    expect(cancelled.fraction).toBe(0.5);
    expect(cancelled.done).toBe(40);
  });

  it('never shows 0 keys/s beside keys being done: between shards the strategy’s average so far, a finished run its own average', () => {
    const base = { strategy: 'product_catalog', position: 0, strategiesTotal: 1, completed: [] } as const;
    const between = summarizeProgress(run({ progress: { ...base, current: { strategy: 'product_catalog', expected: 5000, done: 2000, warmed: 2000, skipped: 0, failed: 0, keysPerSecond: 0, elapsedMs: 4000 } } as unknown as RunProgress }));
    expect(between.keysPerSecond).toBe(500);
    const live = summarizeProgress(run({ progress: { ...base, current: { strategy: 'product_catalog', expected: 5000, done: 2000, warmed: 2000, skipped: 0, failed: 0, keysPerSecond: 730, elapsedMs: 4000 } } as unknown as RunProgress }));
    expect(live.keysPerSecond).toBe(730);
    const slow = summarizeProgress(run({ progress: { ...base, current: { strategy: 'product_catalog', expected: 5000, done: 1, warmed: 1, skipped: 0, failed: 0, keysPerSecond: 0, elapsedMs: 60_000 } } as unknown as RunProgress }));
    expect(slow.keysPerSecond).toBe(1);
    const none = summarizeProgress(run({ progress: { ...base, current: { strategy: 'product_catalog', expected: null, done: 0, warmed: 0, skipped: 0, failed: 0, keysPerSecond: 0, elapsedMs: 900 } } as unknown as RunProgress }));
    expect(none.keysPerSecond).toBe(0);
    expect(summarizeProgress(run({ status: 'succeeded', total: 3000, durationMs: 1500, progress: null })).keysPerSecond).toBe(2000);
  });
});
