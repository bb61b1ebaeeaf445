import 'server-only';
import { LRUCache } from 'lru-cache';

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

type Bucket = { tokens: number; at: number };

/**
 * A token bucket per client address, in process memory: `perSecond` requests a second with bursts
 * of up to `perSecond`. The addresses tracked are bounded (least recently seen dropped first), so
 * a flood of addresses costs bounded memory; a dropped address simply starts with a full bucket.
 * Per process: behind N replicas a client gets N times the rate.
 */
export class ClientRateLimiter {
  readonly perSecond: number;
  readonly #buckets: LRUCache<string, Bucket>;
  readonly #now: () => number;

  constructor(options: { perSecond: number; maxClients?: number; now?: () => number }) {
    if (!Number.isFinite(options.perSecond) || options.perSecond <= 0) {
      throw new Error(`Expected a rate above 0 requests a second, got ${options.perSecond}`);
    }
    this.perSecond = options.perSecond;
    this.#buckets = new LRUCache({ max: options.maxClients ?? 10_000 });
    this.#now = options.now ?? (() => performance.now());
  }

  /** Takes one request's token for `client`, or says how long until one is free. */
  take(client: string): RateDecision {
    const now = this.#now();
    const bucket = this.#buckets.get(client) ?? { tokens: this.perSecond, at: now };
    bucket.tokens = Math.min(this.perSecond, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    bucket.at = now;
    this.#buckets.set(client, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.perSecond)) };
  }
}
