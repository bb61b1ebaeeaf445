import { describe, expect, it } from 'vitest';
import { wilsonInterval } from '@/lib/wilson';
import { classifyRead } from '@/server/effect/classify-read';
import { hashFraction, keepRateFor } from '@/server/warmup/warm-set';

const T0 = Date.UTC(2026, 11, 2, 6, 0, 10);

describe('Wilson interval', () => {
  it('is at most ±7 points at the default sample of 300 keys, and stays inside [0, 1]', () => {
    const half = wilsonInterval(150, 300)!;
    expect(half.high - half.share).toBeLessThan(0.057);
    expect(half.share - half.low).toBeLessThan(0.057);
    const none = wilsonInterval(0, 300)!;
    expect(none.low).toBe(0);
    expect(none.high).toBeGreaterThan(0);
    expect(wilsonInterval(0, 0)).toBeNull();
  });
});

describe('classifyRead', () => {
  const base = { writtenAtMs: T0, lastWriteMs: T0, lfuDecayMinutes: 1 };
  it('reads an idle time shorter than the time since the write as a read, and a whole one as unread', () => {
    expect(classifyRead({ ...base, state: { kind: 'idle', seconds: 5 }, serverNowMs: T0 + 600_000 })).toBe('used');
    expect(classifyRead({ ...base, state: { kind: 'idle', seconds: 599 }, serverNowMs: T0 + 600_000 })).toBe('unread');
    expect(classifyRead({ ...base, state: { kind: 'idle', seconds: 0 }, serverNowMs: T0 + 1_000 })).toBe('unknown');
    expect(classifyRead({ ...base, state: { kind: 'missing' }, serverNowMs: T0 + 600_000 })).toBe('gone');
  });
  it('reads an LFU counter above what an unread key decays to as a read, and a decayed 0 as unknown', () => {
    // Two minutes after the write an unread key has 5 - 2 = 3.
    expect(classifyRead({ ...base, state: { kind: 'freq', value: 4 }, serverNowMs: T0 + 120_000 })).toBe('used');
    expect(classifyRead({ ...base, state: { kind: 'freq', value: 3 }, serverNowMs: T0 + 120_000 })).toBe('unread');
    expect(classifyRead({ ...base, state: { kind: 'freq', value: 0 }, serverNowMs: T0 + 600_000 })).toBe('unknown');
    expect(classifyRead({ ...base, lfuDecayMinutes: 0, state: { kind: 'freq', value: 6 }, serverNowMs: T0 + 600_000 })).toBe('used');
  });
  it('counts a key another run wrote since as unknown unless it was read after that write', () => {
    const rewarmed = { ...base, lastWriteMs: T0 + 300_000, serverNowMs: T0 + 600_000 };
    expect(classifyRead({ ...rewarmed, state: { kind: 'idle', seconds: 299 } })).toBe('unknown');
    expect(classifyRead({ ...rewarmed, state: { kind: 'idle', seconds: 10 } })).toBe('used');
  });
});

describe('warm-set keep rate', () => {
  it('keeps everything up to the bound and a stable hash-picked share beyond', () => {
    expect(keepRateFor(100_000)).toBe(1);
    expect(keepRateFor(1_000_000)).toBeCloseTo(0.1);
    const keys = Array.from({ length: 20_000 }, (_, i) => `Product:id:${i}`);
    const kept = keys.filter((k) => hashFraction(k) < 0.1).length;
    expect(kept).toBeGreaterThan(1_700);
    expect(kept).toBeLessThan(2_300);
    expect(hashFraction('Product:id:7')).toBe(hashFraction('Product:id:7'));
  });
});
