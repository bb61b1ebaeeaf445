import { describe, expect, it } from 'vitest';
import { LoadGovernor } from '@/server/warmup/governor';

/** Feeds one window of loads at `batchMs` (and writes at `writeMs`) and returns the decision. */
function window(g: LoadGovernor, t: { now: number }, batchMs: number, writeMs = 2, loads = 5) {
  for (let i = 0; i < loads; i++) {
    g.observeLoad(batchMs, 500, true, t.now);
    g.observeWrite(writeMs, t.now);
  }
  t.now += 1000;
  const d = g.decide(t.now);
  if (!d) throw new Error('expected a decision');
  return d;
}

/** A database whose batch latency grows with the loads in flight: 20 ms idle, +4 ms per load. */
const latencyAt = (c: number) => 20 + 4 * c;

describe('LoadGovernor (gentle)', () => {
  it('starts at the floor and steps up while the batch latency stays near its baseline', () => {
    const g = new LoadGovernor({ profile: 'gentle', ceiling: 50 });
    const t = { now: 0 };
    expect(g.concurrency).toBe(5);
    const first = window(g, t, 20);
    expect(first.move).toBe('up');
    expect(first.baselineMs).toBe(20);
    const before = g.concurrency;
    expect(window(g, t, 21).concurrency).toBeGreaterThan(before);
  });

  it('backs off multiplicatively on a latency spike, and never below the floor', () => {
    const g = new LoadGovernor({ profile: 'gentle', ceiling: 50 });
    const t = { now: 0 };
    for (let i = 0; i < 8; i++) window(g, t, 20);
    const high = g.concurrency;
    expect(high).toBeGreaterThan(20);
    const spike = window(g, t, 200);
    expect(spike.move).toBe('down');
    expect(spike.concurrency).toBe(Math.floor(high * 0.7));
    expect(spike.reason).toMatch(/over its budget/);
    for (let i = 0; i < 10; i++) expect(window(g, t, 500).concurrency).toBeGreaterThanOrEqual(5);
    expect(g.concurrency).toBe(5);
  });

  it('holds still at steady load once the latency sits in its band (no oscillation)', () => {
    const g = new LoadGovernor({ profile: 'gentle', ceiling: 50 });
    const t = { now: 0 };
    // The latency the governor sees follows what it lets in flight.
    for (let i = 0; i < 30; i++) window(g, t, latencyAt(g.concurrency));
    const settled = g.concurrency;
    const seen: number[] = [];
    for (let i = 0; i < 30; i++) seen.push(window(g, t, latencyAt(g.concurrency)).concurrency);
    expect(new Set(seen)).toEqual(new Set([settled]));
    // Settled inside the budget: latency at most 2x the idle baseline (the first window's latency).
    const baseline = latencyAt(5);
    expect(latencyAt(settled)).toBeLessThanOrEqual(2 * baseline);
    expect(latencyAt(settled)).toBeGreaterThanOrEqual(1.5 * baseline);
  });

  it('never goes above the ceiling, and follows a lowered ceiling at once', () => {
    const g = new LoadGovernor({ profile: 'gentle', ceiling: 12 });
    const t = { now: 0 };
    for (let i = 0; i < 20; i++) expect(window(g, t, 20).concurrency).toBeLessThanOrEqual(12);
    expect(g.concurrency).toBe(12);
    expect(g.setCeiling(4)).toBe(true);
    expect(g.concurrency).toBe(4);
    expect(window(g, t, 20).concurrency).toBe(4);
  });

  it('backs off when cache writes slow down although loads stay fast', () => {
    const g = new LoadGovernor({ profile: 'gentle', ceiling: 50 });
    const t = { now: 0 };
    for (let i = 0; i < 6; i++) window(g, t, 20, 2);
    const before = g.concurrency;
    const d = window(g, t, 20, 40);
    expect(d.move).toBe('down');
    expect(d.reason).toMatch(/cache writes/);
    expect(d.concurrency).toBe(Math.floor(before * 0.7));
  });

  it('decides nothing before its window is long and full enough', () => {
    const g = new LoadGovernor({ profile: 'gentle', ceiling: 50 });
    g.observeLoad(20, 500, true, 0);
    expect(g.decide(5000)).toBeNull(); // one load only
    g.observeLoad(20, 500, true, 5000);
    g.observeLoad(20, 500, true, 5001);
    expect(g.decide(500)).toBeNull(); // the window is not a second long yet... from its start at 0
    expect(g.decide(5002)).not.toBeNull();
  });
});

describe('LoadGovernor (fixed and max)', () => {
  it('fixed stays at the ceiling whatever the latency', () => {
    const g = new LoadGovernor({ profile: 'fixed', ceiling: 50 });
    const t = { now: 0 };
    window(g, t, 20);
    const d = window(g, t, 2000);
    expect(d.concurrency).toBe(50);
    expect(d.move).toBe('hold');
  });

  it('max starts at the ceiling, ignores latency, backs off on failed loads and climbs back', () => {
    const g = new LoadGovernor({ profile: 'max', ceiling: 40 });
    const t = { now: 0 };
    expect(g.concurrency).toBe(40);
    expect(window(g, t, 20).concurrency).toBe(40);
    expect(window(g, t, 5000).concurrency).toBe(40);
    for (let i = 0; i < 5; i++) g.observeLoad(5000, 0, false, t.now);
    t.now += 1000;
    const down = g.decide(t.now)!;
    expect(down.move).toBe('down');
    expect(down.concurrency).toBe(28);
    for (let i = 0; i < 10; i++) expect(window(g, t, 20).concurrency).toBeLessThanOrEqual(40);
    expect(g.concurrency).toBe(40);
  });
});

describe('LoadGovernor (a later shard of the run)', () => {
  it('starts gentle where the earlier shard left off, within its own ceiling', () => {
    const g = new LoadGovernor({ profile: 'gentle', ceiling: 20, start: { concurrency: 14, baselineMs: 20 } });
    expect(g.concurrency).toBe(14);
    expect(g.baselineMs).toBe(20);
    const t = { now: 0 };
    expect(window(g, t, 100).move).toBe('down'); // the carried baseline counts at once
    expect(new LoadGovernor({ profile: 'gentle', ceiling: 10, start: { concurrency: 40, baselineMs: null } }).concurrency).toBe(10);
  });
});
