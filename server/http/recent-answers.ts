import 'server-only';
import { LRUCache } from 'lru-cache';
import type { Database } from '../db/client';

/**
 * Answers of read endpoints that dashboards poll (several operators, every few seconds, the same
 * question): an answer up to `ttlMs` old is reused, and identical questions arriving together
 * share one computation. Kept per database (a process has one; tests have many).
 */
export class RecentAnswers<T> {
  readonly #byDatabase = new WeakMap<Database, LRUCache<string, Promise<T>>>();

  constructor(readonly ttlMs: number, readonly max = 500) {}

  get(database: Database, key: string, compute: () => Promise<T>): Promise<T> {
    let cache = this.#byDatabase.get(database);
    if (!cache) this.#byDatabase.set(database, (cache = new LRUCache<string, Promise<T>>({ max: this.max, ttl: this.ttlMs })));
    let answer = cache.get(key);
    if (!answer) {
      answer = compute();
      cache.set(key, answer);
      answer.catch(() => cache.delete(key));
    }
    return answer;
  }

  /** After a change made through this process: the next question is answered fresh. */
  forget(database: Database): void {
    this.#byDatabase.get(database)?.clear();
  }
}
