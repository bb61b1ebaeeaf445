import 'server-only';

/**
 * The cache port: everything Kiln asks of the shop's cache. Values are strings (JSON text);
 * TTLs are in seconds when set and in milliseconds when read back, as Redis has them.
 * Adapters: Redis and Redis Cluster (ioredis) and an in-process LRU (lru-cache).
 */
export interface Cache {
  readonly kind: 'redis' | 'redis-cluster' | 'memory';
  /** Where the cache lives, without secrets. */
  describe(): string;
  get(key: string): Promise<string | null>;
  getMany(keys: readonly string[]): Promise<(string | null)[]>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /**
   * Writes many entries in one round trip (pipelined), each with its own TTL, and reports each
   * entry's outcome in order: one bad key never fails the others. A key that holds a value of
   * another type (a hash, a list...) is not overwritten: its entry fails with the reason.
   */
  setMany(entries: readonly CacheEntry[]): Promise<WriteResult[]>;
  exists(key: string): Promise<boolean>;
  /** Remaining time to live in milliseconds: null when the key is missing, Infinity when it never expires. */
  ttlMs(key: string): Promise<number | null>;
  /** ttlMs for many keys in one round trip. */
  ttlMsMany(keys: readonly string[]): Promise<(number | null)[]>;
  /**
   * Bytes each key takes in the cache, in one round trip (Redis: MEMORY USAGE, value and overhead;
   * memory cache: its own size accounting); null for a missing key. For estimates, on a few keys.
   */
  memoryUsageMany(keys: readonly string[]): Promise<(number | null)[]>;
  delete(keys: readonly string[]): Promise<number>;
  /** Keys that start with a prefix, in batches, without blocking the server (SCAN, not KEYS). */
  scan(prefix: string, batchSize?: number): AsyncIterable<string[]>;
  health(): Promise<CacheHealth>;
  close(): Promise<void>;
}

export type CacheEntry = { key: string; value: string; ttlSeconds: number };
export type WriteResult = { ok: true } | { ok: false; error: string };

export type CacheHealth = {
  ok: boolean;
  latencyMs: number;
  error?: string;
  /** Backend figures for the status page: memory used, keys, evictions. */
  details: Record<string, string | number | boolean | null>;
};

export class CacheError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = this.constructor.name;
  }
}

export function validateTtl(ttlSeconds: number, key: string): void {
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) {
    throw new CacheError(`TTL for ${key} must be a whole number of seconds from 1 up, got ${ttlSeconds}`);
  }
}
