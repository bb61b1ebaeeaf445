import { describe, expect, it } from 'vitest';
import { copyValue } from '@/server/db/seed/copy-sink';
import { Random, ZipfSampler } from '@/server/db/seed/random';

describe('Random', () => {
  it('gives the same sequence for the same seed and another for another seed', () => {
    const a = new Random(42);
    const b = new Random(42);
    const c = new Random(43);
    const seqA = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(seqA);
  });

  it('keeps int() within its bounds, reaching both ends', () => {
    const r = new Random(1);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const v = r.int(3, 7);
      expect(v).toBeGreaterThanOrEqual(3);
      expect(v).toBeLessThanOrEqual(7);
      seen.add(v);
    }
    expect([...seen].sort()).toEqual([3, 4, 5, 6, 7]);
  });

  it('builds a permutation of 1..n', () => {
    const p = new Random(5).permutation(1000);
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
  });
});

describe('ZipfSampler', () => {
  it('gives the first ranks most of the draws (a long tail)', () => {
    const zipf = new ZipfSampler(10_000, 1.1);
    const r = new Random(7);
    const counts = new Map<number, number>();
    const draws = 100_000;
    for (let i = 0; i < draws; i++) {
      const rank = zipf.sample(r);
      counts.set(rank, (counts.get(rank) ?? 0) + 1);
    }
    const top10 = Array.from({ length: 10 }, (_, i) => counts.get(i) ?? 0).reduce((a, b) => a + b, 0);
    // Zipf(1.1) over 10,000 ranks puts H(10, 1.1) / H(10000, 1.1) = 40.6% of the mass on the first ten.
    const harmonic = (n: number) => Array.from({ length: n }, (_, i) => 1 / Math.pow(i + 1, 1.1)).reduce((a, b) => a + b, 0);
    expect(top10 / draws).toBeCloseTo(harmonic(10) / harmonic(10_000), 2);
    expect(counts.get(0)!).toBeGreaterThan(counts.get(9)! * 5);
  });
});

describe('copyValue', () => {
  it('escapes what COPY text format treats specially', () => {
    expect(copyValue('a\tb\nc\\d\re')).toBe('a\\tb\\nc\\\\d\\re');
    expect(copyValue(null)).toBe('\\N');
    expect(copyValue(12)).toBe('12');
  });
});
