import { describe, expect, it } from 'vitest';
import { ClientRateLimiter } from '@/server/http/client-rate-limiter';

describe('the per-address rate limiter of the shop reads', () => {
  it('lets a burst of one second’s rate through, then refuses with the wait until the next token', () => {
    let now = 0;
    const limiter = new ClientRateLimiter({ perSecond: 4, now: () => now });
    expect([1, 2, 3, 4].map(() => limiter.take('a').allowed)).toEqual([true, true, true, true]);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    now = 250; // one token back
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
  });

  it('sustains its rate and no more', () => {
    let now = 0;
    const limiter = new ClientRateLimiter({ perSecond: 500, now: () => now });
    let allowed = 0;
    // 1000 requests a second for 10 s, one every millisecond.
    for (let i = 0; i < 10_000; i++, now++) if (limiter.take('sim').allowed) allowed++;
    expect(allowed).toBeGreaterThanOrEqual(5_000);
    expect(allowed).toBeLessThanOrEqual(5_500); // the rate plus the first second's burst
  });

  it('counts each address apart and bounds how many it remembers', () => {
    let now = 0;
    const limiter = new ClientRateLimiter({ perSecond: 1, maxClients: 2, now: () => now });
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
    expect(limiter.take('b').allowed).toBe(true);
    expect(limiter.take('c').allowed).toBe(true);
    // 'a' was dropped to make room: it starts again with a full bucket.
    expect(limiter.take('a').allowed).toBe(true);
  });

  it('refuses a rate of zero or less at construction', () => {
    expect(() => new ClientRateLimiter({ perSecond: 0 })).toThrow(/above 0/);
  });
});
