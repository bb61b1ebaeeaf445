import { describe, expect, it } from 'vitest';
import { ConcurrencyLimiter } from '@/server/warmup/limiter';
import { sleep } from '../support/fake-strategy';

describe('ConcurrencyLimiter', () => {
  it('refuses a limit that is not an integer from 1 to 256, naming what it got', () => {
    expect(() => new ConcurrencyLimiter(0)).toThrow('Expected concurrency to be an integer from 1 to 256, got 0 (number)');
    expect(() => new ConcurrencyLimiter(2.5)).toThrow(/got 2.5/);
    const limiter = new ConcurrencyLimiter(2);
    expect(() => {
      limiter.concurrency = 257;
    }).toThrow(/got 257/);
    expect(limiter.concurrency).toBe(2);
  });

  it('never runs more tasks than the limit, and reports active and pending counts', async () => {
    const limiter = new ConcurrencyLimiter(3);
    let active = 0;
    let peak = 0;
    const tasks = Array.from({ length: 20 }, () =>
      limiter.run(async () => {
        active++;
        peak = Math.max(peak, active);
        await sleep(5);
        active--;
      }),
    );
    await sleep(1);
    expect(limiter.activeCount).toBe(3);
    expect(limiter.pendingCount).toBe(17);
    await Promise.all(tasks);
    expect(peak).toBe(3);
    expect(limiter.activeCount).toBe(0);
  });

  it('applies a lower limit to the next tasks and a higher one at once', async () => {
    const limiter = new ConcurrencyLimiter(4);
    let active = 0;
    const peaks: number[] = [];
    const run = () =>
      limiter.run(async () => {
        active++;
        peaks.push(active);
        await sleep(10);
        active--;
      });
    const first = Array.from({ length: 4 }, run);
    limiter.concurrency = 1;
    const second = Array.from({ length: 4 }, run);
    await Promise.all(first);
    // The first four started under the old limit; after they finish only one runs at a time.
    await sleep(1);
    expect(limiter.activeCount).toBeLessThanOrEqual(1);
    limiter.concurrency = 3;
    await sleep(1);
    expect(limiter.activeCount).toBe(3);
    await Promise.all(second);
    expect(Math.max(...peaks.slice(4))).toBeLessThanOrEqual(4);
  });

  it('keeps going after a task fails', async () => {
    const limiter = new ConcurrencyLimiter(1);
    const failed = limiter.run(async () => {
      throw new Error('boom');
    });
    const next = limiter.run(async () => 'ok');
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('ok');
    expect(limiter.activeCount).toBe(0);
  });
});
