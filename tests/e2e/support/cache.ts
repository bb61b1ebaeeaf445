import { Redis } from 'ioredis';
import { E2E_CACHE_PREFIX, E2E_REDIS_URL } from './e2e-env';

/**
 * The e2e server's cache, read and changed behind Kiln's back (as a flush, an eviction or another
 * writer would), under its key prefix only. `key` names are the shop's keys, without the prefix.
 */
export class E2eCache {
  readonly #redis = new Redis(E2E_REDIS_URL, { maxRetriesPerRequest: 1 });

  /** The shop's keys present under a pattern such as `Category:*`. */
  async keys(pattern: string): Promise<string[]> {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.#redis.scan(cursor, 'MATCH', `${E2E_CACHE_PREFIX}${pattern}`, 'COUNT', 1000);
      cursor = next;
      found.push(...batch.map((k) => k.slice(E2E_CACHE_PREFIX.length)));
    } while (cursor !== '0');
    return found;
  }

  /** Deletes the keys under a pattern; resolves with how many there were. */
  async deleteKeys(pattern: string): Promise<number> {
    const keys = await this.keys(pattern);
    if (keys.length) await this.#redis.unlink(...keys.map((k) => E2E_CACHE_PREFIX + k));
    return keys.length;
  }

  /** Puts a hash where the warmer writes a string: it refuses to overwrite another type (WRONGTYPE). */
  async occupyWithHash(key: string): Promise<void> {
    await this.#redis.del(E2E_CACHE_PREFIX + key);
    await this.#redis.hset(E2E_CACHE_PREFIX + key, 'owner', 'another writer');
  }

  async type(key: string): Promise<string> {
    return this.#redis.type(E2E_CACHE_PREFIX + key);
  }

  async delete(key: string): Promise<void> {
    await this.#redis.del(E2E_CACHE_PREFIX + key);
  }

  close(): void {
    this.#redis.disconnect();
  }
}
