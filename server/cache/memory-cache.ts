import 'server-only';
import { LRUCache } from 'lru-cache';
import { type Cache, type CacheEntry, type CacheHealth, type RefreshEntry, type RefreshOptions, type RefreshResult, type WriteResult, validateTtl } from './cache';

export type MemoryCacheOptions = { maxBytes: number; keyPrefix?: string };

/**
 * The zero-setup cache: an in-process LRU bounded by bytes, with per-entry TTLs. It lives and dies
 * with the process, so it suits one replica and a bare machine; set REDIS_URL for anything shared.
 */
export class MemoryCache implements Cache {
  readonly kind = 'memory' as const;
  readonly #lru: LRUCache<string, string>;
  readonly #prefix: string;
  readonly #maxBytes: number;
  /** Freshness markers (server/freshness): the WAL position a key was last re-warmed on change from. */
  readonly #markers = new LRUCache<string, number>({ max: 1_000_000, ttlAutopurge: false });
  #evictions = 0;

  constructor(options: MemoryCacheOptions) {
    this.#prefix = options.keyPrefix ?? '';
    this.#maxBytes = options.maxBytes;
    this.#lru = new LRUCache<string, string>({
      maxSize: options.maxBytes,
      sizeCalculation: entrySize,
      ttlAutopurge: false,
      allowStale: false,
      dispose: (_value, _key, reason) => {
        if (reason === 'evict') this.#evictions++;
      },
    });
  }

  describe(): string {
    return `in-process memory cache (${Math.round(this.#maxBytes / 1024 / 1024)} MB max)`;
  }

  async get(key: string): Promise<string | null> {
    return this.#lru.get(this.#prefix + key) ?? null;
  }

  async getMany(keys: readonly string[]): Promise<(string | null)[]> {
    return keys.map((k) => this.#lru.get(this.#prefix + k) ?? null);
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    validateTtl(ttlSeconds, key);
    this.#lru.set(this.#prefix + key, value, { ttl: ttlSeconds * 1000 });
  }

  async setMany(entries: readonly CacheEntry[], options: { version?: string } = {}): Promise<WriteResult[]> {
    const version = options.version === undefined ? undefined : Number(options.version);
    return entries.map((e): WriteResult => {
      try {
        validateTtl(e.ttlSeconds, e.key);
        const marker = version === undefined ? undefined : this.#markers.get(this.#prefix + e.key);
        if (marker !== undefined && marker >= version!) return { ok: true, superseded: true };
        this.#lru.set(this.#prefix + e.key, e.value, { ttl: e.ttlSeconds * 1000 });
        return { ok: true };
      } catch (error) {
        return { ok: false, error: (error as Error).message };
      }
    });
  }

  async refreshMany(entries: readonly RefreshEntry[], options: RefreshOptions): Promise<RefreshResult[]> {
    const version = Number(options.version);
    return entries.map((e): RefreshResult => {
      const full = this.#prefix + e.key;
      try {
        if (e.value !== null) validateTtl(e.ttlSeconds, e.key);
      } catch (error) {
        return { ok: false, error: (error as Error).message };
      }
      const marker = this.#markers.get(full);
      if (marker !== undefined && marker > version) return { ok: true, outcome: 'superseded' };
      const cached = this.#lru.has(full);
      let outcome: 'written' | 'deleted' | 'absent' | 'not_cached';
      if (e.value === null) {
        outcome = cached ? 'deleted' : 'absent';
        if (cached) this.#lru.delete(full);
      } else if (!e.always && !cached) {
        outcome = 'not_cached';
      } else {
        this.#lru.set(full, e.value, { ttl: e.ttlSeconds * 1000 });
        outcome = 'written';
      }
      if (outcome === 'written' || outcome === 'deleted' || options.markAll) this.#markers.set(full, version, { ttl: options.markerTtlSeconds * 1000 });
      return { ok: true, outcome };
    });
  }

  async exists(key: string): Promise<boolean> {
    return this.#lru.has(this.#prefix + key);
  }

  async ttlMs(key: string): Promise<number | null> {
    return this.#remaining(this.#prefix + key);
  }

  async ttlMsMany(keys: readonly string[]): Promise<(number | null)[]> {
    return keys.map((k) => this.#remaining(this.#prefix + k));
  }

  #remaining(fullKey: string): number | null {
    if (!this.#lru.has(fullKey)) return null;
    const ms = this.#lru.getRemainingTTL(fullKey);
    if (ms === Infinity || ms === 0) return Infinity;
    // lru-cache reads a clock cached to the millisecond: never report more than the TTL itself.
    const ttl = this.#lru.info(fullKey)?.ttl ?? ms;
    return Math.max(0, Math.min(Math.floor(ms), ttl));
  }

  async memoryUsageMany(keys: readonly string[]): Promise<(number | null)[]> {
    return keys.map((k) => {
      const full = this.#prefix + k;
      const value = this.#lru.get(full);
      return value === undefined ? null : entrySize(value, full);
    });
  }

  async delete(keys: readonly string[]): Promise<number> {
    let removed = 0;
    for (const k of keys) if (this.#lru.delete(this.#prefix + k)) removed++;
    return removed;
  }

  async *scan(prefix: string, batchSize = 500): AsyncIterable<string[]> {
    const full = this.#prefix + prefix;
    let batch: string[] = [];
    // Copy the key list first: yielding while iterating the live LRU would see it change under us.
    for (const k of [...this.#lru.keys()]) {
      if (!k.startsWith(full) || !this.#lru.has(k)) continue;
      batch.push(k.slice(this.#prefix.length));
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  }

  async health(): Promise<CacheHealth> {
    return {
      ok: true,
      latencyMs: 0,
      details: {
        keys: this.#lru.size,
        usedBytes: this.#lru.calculatedSize,
        maxBytes: this.#maxBytes,
        evictedKeys: this.#evictions,
      },
    };
  }

  /** The in-process cache keeps no idle times or counters a shop could read: it cannot tell. */
  async inspectKeys(): Promise<null> {
    return null;
  }

  async keyspaceStats(): Promise<null> {
    return null;
  }

  async close(): Promise<void> {
    this.#lru.clear();
    this.#markers.clear();
  }
}

/** JS strings are UTF-16: two bytes a character is the honest size of an entry. */
function entrySize(value: string, key: string): number {
  return Math.max(1, (value.length + key.length) * 2);
}
