import { describe, expect, it } from 'vitest';
import type { CoverageSample, HitRate, HitRateCounts, RunMarker, StrategyEstimate, StrategyCoverage } from '@/lib/api/effect';
import { coverageTone, describeEvictions, describeTtlHistogram, evictionWarnings, formatCoverage, mostlyLeft } from '@/lib/ui/coverage';
import { durationBasis, estimateDuration, estimateKeys, estimateMemory, keysBasis, memoryBasis } from '@/lib/ui/estimate';
import { effectRange, hitRateRows, orderedTotals, queryRows, runSpans, thinRunMarks, timeTicks } from '@/lib/ui/hit-rate-series';

const counts = (hits: number, misses: number, perMiss = 1): HitRateCounts => ({
  hits,
  misses,
  reads: hits + misses,
  hitRate: hits + misses ? hits / (hits + misses) : null,
  dbQueries: misses * perMiss,
  dbQueriesAvoided: hits * perMiss,
  dbLoadSaved: hits + misses ? hits / (hits + misses) : null,
});

const hitRate: HitRate = {
  from: '2026-11-22T04:00:00.000Z',
  to: '2026-11-22T04:03:00.000Z',
  bucket: '1m',
  families: [],
  series: [
    {
      family: 'products',
      points: [
        { bucketStart: '2026-11-22T04:00:00.000Z', ...counts(3, 1) },
        { bucketStart: '2026-11-22T04:01:00.000Z', ...counts(0, 0) },
        { bucketStart: '2026-11-22T04:02:00.000Z', ...counts(5, 0) },
      ],
    },
    {
      family: 'all',
      points: [
        { bucketStart: '2026-11-22T04:00:00.000Z', ...counts(3, 1) },
        { bucketStart: '2026-11-22T04:01:00.000Z', ...counts(0, 0) },
        { bucketStart: '2026-11-22T04:02:00.000Z', ...counts(5, 0) },
      ],
    },
  ],
  totals: [
    { family: 'all', ...counts(8, 1) },
    { family: 'products', ...counts(8, 1) },
  ],
  runs: [],
  runsTruncated: false,
};

const marker = (o: Partial<RunMarker>): RunMarker => ({
  id: 'r1',
  trigger: 'manual',
  triggeredBy: 'ops@example.com',
  strategies: ['categories'],
  status: 'succeeded',
  startedAt: '2026-11-22T04:01:10.000Z',
  finishedAt: '2026-11-22T04:01:12.000Z',
  ...o,
});

describe('the hit-rate ranges', () => {
  it('end at the end of the bucket in progress, a whole number of buckets long', () => {
    const now = Date.parse('2026-11-22T04:20:31Z');
    expect(effectRange('1h', now)).toEqual({ from: '2026-11-22T03:21:00.000Z', to: '2026-11-22T04:21:00.000Z', bucket: '1m' });
    expect(effectRange('24h', now)).toEqual({ from: '2026-11-21T04:30:00.000Z', to: '2026-11-22T04:30:00.000Z', bucket: '15m' });
    expect(effectRange('7d', now)).toEqual({ from: '2026-11-15T05:00:00.000Z', to: '2026-11-22T05:00:00.000Z', bucket: '1h' });
  });

  it('put the axis ticks on round times inside the range', () => {
    const ticks = timeTicks('2026-11-22T03:21:00.000Z', '2026-11-22T04:21:00.000Z', 10 * 60_000).map((t) => new Date(t).toISOString().slice(11, 16));
    expect(ticks).toEqual(['03:30', '03:40', '03:50', '04:00', '04:10', '04:20']);
  });
});

describe('the hit-rate chart series', () => {
  it('has one row per bucket with each family’s rate, null where there were no reads', () => {
    const rows = hitRateRows(hitRate);
    expect(rows.map((r) => r.t)).toEqual([Date.parse('2026-11-22T04:00:00Z'), Date.parse('2026-11-22T04:01:00Z'), Date.parse('2026-11-22T04:02:00Z')]);
    expect(rows.map((r) => r.products)).toEqual([0.75, null, 1]);
    expect(rows.map((r) => r.all)).toEqual([0.75, null, 1]);
  });

  it('puts the queries misses cost beside the queries hits avoided, per bucket', () => {
    expect(queryRows(hitRate).map((r) => [r.dbQueries, r.dbQueriesAvoided])).toEqual([
      [1, 3],
      [0, 0],
      [0, 5],
    ]);
  });

  it('lists the totals in the families’ order with all reads last', () => {
    expect(orderedTotals(hitRate).map((t) => t.family)).toEqual(['products', 'all']);
  });

  it('clips the runs to the range and lets a running one reach now', () => {
    const spans = runSpans(
      [
        marker({ id: 'before', startedAt: '2026-11-22T03:59:00.000Z', finishedAt: '2026-11-22T04:00:30.000Z' }),
        marker({ id: 'inside' }),
        marker({ id: 'running', startedAt: '2026-11-22T04:02:00.000Z', finishedAt: null, status: 'running' }),
      ],
      hitRate.from,
      hitRate.to,
      Date.parse('2026-11-22T04:02:20Z'),
    );
    expect(spans.map((s) => [s.id, new Date(s.start).toISOString(), new Date(s.end).toISOString()])).toEqual([
      ['before', '2026-11-22T04:00:00.000Z', '2026-11-22T04:00:30.000Z'],
      ['inside', '2026-11-22T04:01:10.000Z', '2026-11-22T04:01:12.000Z'],
      ['running', '2026-11-22T04:02:00.000Z', '2026-11-22T04:02:20.000Z'],
    ]);
    expect(spans[1]!.label).toBe('categories (manual by ops@example.com, succeeded)');
  });
});

const histogram = (keys: number[]): CoverageSample['ttlHistogram'] =>
  (['0-10%', '10-25%', '25-50%', '50-75%', '75-100%', 'over_ttl', 'no_expiry'] as const).map((bucket, i) => ({ bucket, keys: keys[i] ?? 0 }));

describe('coverage in words', () => {
  it('gives the share present, with its margin when only a sample was checked', () => {
    expect(formatCoverage({ coverage: 1, marginOfError: 0 })).toBe('100.0%');
    expect(formatCoverage({ coverage: 0.62, marginOfError: 0.054 })).toBe('62.0% ± 5.4 pts');
    expect(formatCoverage({ coverage: null, marginOfError: null })).toBe('–');
    expect([1, 0.9, 0.6, 0.2, null].map(coverageTone)).toEqual(['ok', 'ok', 'warn', 'bad', 'muted']);
  });

  it('describes the remaining-TTL histogram and where most keys are', () => {
    const h = histogram([2, 0, 0, 0, 100, 0, 1]);
    expect(describeTtlHistogram(h)).toBe('Remaining TTL, as a share of the strategy’s TTL: 0–10%: 2 keys, 75–100%: 100 keys, no expiry: 1 key');
    expect(mostlyLeft(h)).toBe('mostly 75–100% left');
    expect(mostlyLeft(histogram([0, 0, 0, 0, 0, 0, 3]))).toBe('mostly no expiry');
    expect(mostlyLeft(histogram([]))).toBe('');
    expect(describeTtlHistogram(histogram([]))).toBe('No sampled key is in the cache');
  });

  it('names the strategies whose latest sample saw evictions', () => {
    const sample = (evictionWarning: boolean, evictionsSincePrevious: number | null) => ({ evictionWarning, evictionsSincePrevious }) as CoverageSample;
    const strategies = [
      { strategy: 'hot_products', latest: sample(true, 120) },
      { strategy: 'categories', latest: sample(false, 0) },
      { strategy: 'sessions', latest: null },
    ] as StrategyCoverage[];
    const warnings = evictionWarnings(strategies);
    expect(warnings).toEqual([{ strategy: 'hot_products', evicted: 120 }]);
    expect(describeEvictions(warnings)).toBe(
      'The cache evicted 120 keys since the previous sample of Hot products: it is short of memory, and warmed keys leave it before their TTL ends. Raise its maxmemory, or warm less.',
    );
    expect(describeEvictions([...warnings, { strategy: 'sessions', evicted: 80 }, { strategy: 'categories', evicted: null }])).toMatch(
      /^The cache evicted 120 keys since the previous sample of Hot products, Sessions and Categories:/,
    );
  });
});

describe('estimates in words', () => {
  const estimate: StrategyEstimate = {
    strategy: 'product_catalog',
    ttlSeconds: 86_400,
    keys: { count: 200_000, exact: false, basis: 'listing' },
    duration: { expectedMs: null, basis: 'none', keysPerSecond: null, runs: 0 },
    memory: { bytes: 2048 * 200_000, bytesPerKey: 2048, sampled: 10, basis: 'loaded_values' },
    error: null,
  };

  it('says when a count is only a lower bound and a duration is unknown', () => {
    expect(estimateKeys(estimate.keys)).toBe('≥ 200,000');
    expect(keysBasis(estimate.keys)).toBe('a dry listing, cut off at its bound');
    expect(estimateDuration(estimate.duration)).toBe('unknown');
    expect(durationBasis(estimate.duration)).toBe('no full run yet to learn its speed');
  });

  it('says where the duration and the memory come from', () => {
    expect(estimateDuration({ expectedMs: 2340, basis: 'history', keysPerSecond: 4250, runs: 3 })).toBe('about 2.34 s');
    expect(durationBasis({ expectedMs: 2340, basis: 'history', keysPerSecond: 4250, runs: 3 })).toBe('4,250 keys/s in its last 3 runs');
    expect(estimateMemory(estimate.memory)).toBe('390.6 MB');
    expect(memoryBasis(estimate.memory)).toBe('2.0 KB a key, from 10 loaded values (no cache overhead)');
    expect(memoryBasis({ bytes: 7560, bytesPerKey: 756, sampled: 1, basis: 'memory_usage' })).toBe('756 B a key, 1 cached key measured');
    expect(estimateMemory({ bytes: null, bytesPerKey: null, sampled: 0, basis: 'none' })).toBe('unknown');
  });
});

describe('run marks on a busy chart', () => {
  const from = '2026-11-22T00:00:00Z';
  const to = '2026-11-23T00:00:00Z';
  const at = (minutes: number, lasting = 1) => {
    const start = Date.parse(from) + minutes * 60_000;
    return { id: `run-${minutes}`, start, end: start + lasting * 60_000, status: 'succeeded' as const, label: `run at ${minutes}` };
  };

  it('join runs starting closer than the range over the mark count into one mark, and keep runs apart otherwise', () => {
    // A day over 80 marks: 18 minutes. Runs every 5 minutes for an hour, then two hours apart.
    const busy = Array.from({ length: 12 }, (_, i) => at(i * 5));
    const marks = thinRunMarks([...busy, at(180), at(300, 30)], from, to);
    expect(marks.map((m) => [m.id, m.count])).toEqual([
      ['run-0', 4],
      ['run-20', 4],
      ['run-40', 4],
      ['run-180', 1],
      ['run-300', 1],
    ]);
    expect(marks[0]!.end).toBe(at(15).end); // the span stretches to its last run's end
    expect(marks.at(-1)!.end - marks.at(-1)!.start).toBe(30 * 60_000);
  });

  it('never draw more marks than asked, however many runs', () => {
    const many = Array.from({ length: 2000 }, (_, i) => at(i * 0.72));
    const marks = thinRunMarks(many, from, to, 80);
    expect(marks.length).toBeLessThanOrEqual(80);
    expect(marks.reduce((n, m) => n + m.count, 0)).toBe(2000);
  });
});
