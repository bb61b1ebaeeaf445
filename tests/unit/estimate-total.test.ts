import { describe, expect, it } from 'vitest';
import { type StrategyEstimate, estimateTotal } from '@/lib/api/estimate';

const strategy = (count: number, expectedMs: number | null, bytes: number | null): Pick<StrategyEstimate, 'keys' | 'duration' | 'memory'> => ({
  keys: { count, exact: true, basis: 'count_keys' },
  duration: { expectedMs, basis: expectedMs === null ? 'none' : 'history', keysPerSecond: null, runs: expectedMs === null ? 0 : 10 },
  memory: { bytes, bytesPerKey: null, sampled: 0, basis: bytes === null ? 'none' : 'memory_usage' },
});

describe('the total of a run estimate', () => {
  it('is the strategies’ durations plus the run’s overhead, each shown apart, adding up to the millisecond', () => {
    // The demo's Warm all: strategies summing to 0.58 s, a run overhead of 1.73 s.
    const total = estimateTotal([strategy(100, 120, 1000), strategy(4, 40, 200), strategy(27, 20, 300), strategy(400, 400, 5000)], 1730);
    expect(total).toEqual({ keys: 531, strategiesMs: 580, overheadMs: 1730, expectedMs: 2310, durationComplete: true, bytes: 6500, memoryComplete: true });
    expect(total.strategiesMs! + total.overheadMs!).toBe(total.expectedMs);
  });

  it('without overhead history is the strategies’ sum, overhead unknown', () => {
    expect(estimateTotal([strategy(10, 100, null), strategy(5, 50, null)], null)).toMatchObject({ strategiesMs: 150, overheadMs: null, expectedMs: 150, bytes: null, memoryComplete: false });
  });

  it('is a lower bound when a strategy has no duration, and unknown when none has', () => {
    expect(estimateTotal([strategy(10, 100, 10), strategy(5, null, null)], 30)).toMatchObject({ strategiesMs: 100, overheadMs: 30, expectedMs: 130, durationComplete: false, bytes: 10, memoryComplete: false });
    expect(estimateTotal([strategy(10, null, null)], 30)).toMatchObject({ keys: 10, strategiesMs: null, overheadMs: null, expectedMs: null, durationComplete: false });
    expect(estimateTotal([], 30)).toMatchObject({ keys: 0, strategiesMs: null, expectedMs: null, durationComplete: true });
  });
});
