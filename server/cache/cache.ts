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
   *
   * Freshness guard (server/freshness): with `version` (the WAL position the batch read before
   * loading its values), a key re-warmed on change from a position at or after it is left alone
   * (`superseded`): the batch's value may predate that change.
   */
  setMany(entries: readonly CacheEntry[], options?: { version?: string }): Promise<WriteResult[]>;
  /**
   * Re-warm on change (server/freshness): writes each entry's value with its TTL (or deletes the key
   * when the value is null), only where the key is cached now unless `always`, in one scripted call,
   * and leaves a freshness marker (`version`, for `markerTtlSeconds`) that setMany's guard reads.
   * A key whose marker is newer than `version` is left alone (`superseded`: a later re-warm won).
   * Markers are left for keys written or deleted, and for every key when `markAll` (a run is going,
   * whose batches may hold values loaded before the change).
   */
  refreshMany(entries: readonly RefreshEntry[], options: RefreshOptions): Promise<RefreshResult[]>;
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
  /**
   * Whether each key was read, asked without touching it (issue 18): Redis's OBJECT IDLETIME under an
   * LRU or no-eviction policy, OBJECT FREQ under an LFU policy, with the policy and the server's
   * clock. null where the cache cannot tell (the in-process cache).
   */
  inspectKeys(keys: readonly string[]): Promise<KeyInspection | null>;
  /** The server's keyspace counters (INFO stats), summed over a cluster's masters; null where there are none. */
  keyspaceStats(): Promise<KeyspaceStats | null>;
  close(): Promise<void>;
}

/** One key as OBJECT saw it: gone (expired or evicted), its idle seconds (LRU), or its LFU counter. */
export type KeyState = { kind: 'missing' } | { kind: 'idle'; seconds: number } | { kind: 'freq'; value: number };

export type KeyInspection = {
  /** maxmemory-policy (from CONFIG GET, or INFO when CONFIG is disabled). */
  policy: string;
  /** lfu-decay-time in minutes; null when CONFIG is disabled (the default, 1, is then assumed). */
  lfuDecayMinutes: number | null;
  configAvailable: boolean;
  /** The server's clock (TIME) when the keys were inspected. */
  serverTimeMs: number;
  states: KeyState[];
};

export type KeyspaceStats = { hits: number; misses: number; expiredKeys: number; evictedKeys: number; uptimeSeconds: number; nodes: number };

export type CacheEntry = { key: string; value: string; ttlSeconds: number };
/** `superseded`: not written, the key was re-warmed on change from a newer position (setMany's guard). */
export type WriteResult = { ok: true; superseded?: true } | { ok: false; error: string };

/** A re-warm on change: the new value, or null to delete the key (its row is gone or no longer qualifies). */
export type RefreshEntry = { key: string; value: string | null; ttlSeconds: number; always: boolean };
export type RefreshOptions = { version: string; markerTtlSeconds: number; markAll: boolean };
export type RefreshOutcome = 'written' | 'deleted' | 'absent' | 'not_cached' | 'superseded';
export type RefreshResult = { ok: true; outcome: RefreshOutcome } | { ok: false; error: string };

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
