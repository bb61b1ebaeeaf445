import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BackgroundWork } from '@/server/background-work';

describe('BackgroundWork (the samplers\u2019 and the retention runner\u2019s timer)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('ticks first after the delay, then on the interval; one schedule only', async () => {
    const work = new BackgroundWork();
    const tick = vi.fn(async () => {});
    work.every(1_000, 5_000, tick);
    work.every(10, 10, tick); // ignored: already scheduled
    await vi.advanceTimersByTimeAsync(999);
    expect(tick).toHaveBeenCalledTimes(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(tick).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(tick).toHaveBeenCalledTimes(3);
    await work.stop();
  });

  it('stop() waits for a tick under way and for tracked work, and nothing ticks after it', async () => {
    const work = new BackgroundWork();
    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    const tick = vi.fn(() => slow);
    work.every(0, 1_000, tick);
    await vi.advanceTimersByTimeAsync(0);
    expect(tick).toHaveBeenCalledTimes(1);
    let tracked = false;
    void work.track(new Promise<void>((r) => setTimeout(() => { tracked = true; r(); }, 2_500)));
    let stopped = false;
    const stopping = work.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(3_000);
    expect(work.stopped).toBe(true);
    expect(tracked).toBe(true);
    expect(stopped).toBe(false); // the tick under way is not done yet
    release();
    await stopping;
    expect(stopped).toBe(true);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(tick).toHaveBeenCalledTimes(1);
    work.every(0, 1_000, tick); // after stop: never scheduled again
    await vi.advanceTimersByTimeAsync(5_000);
    expect(tick).toHaveBeenCalledTimes(1);
  });

  it('a tracked failure does not break idle()', async () => {
    const work = new BackgroundWork();
    const failed = work.track(Promise.reject(new Error('boom')));
    await expect(failed).rejects.toThrow('boom');
    await work.idle();
  });
});
