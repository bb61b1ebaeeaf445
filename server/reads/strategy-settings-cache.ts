import 'server-only';
import type { Database } from '../db/client';
import type { StrategyRegistry } from '../warmup/registry';
import { resolveStrategies } from '../warmup/settings';
import type { ResolvedStrategy } from '../warmup/strategy';

/**
 * The strategies' settings in force (TTL, enabled, options), read from Postgres at most once per
 * `maxAgeMs` per process: a miss on the shop's read path needs the TTL an operator set, but must
 * not pay a settings query for it. An edit reaches every process within `maxAgeMs`. When a refresh
 * fails the last known settings are kept; with none known the error surfaces.
 */
export class StrategySettingsCache {
  readonly #database: Database;
  readonly #registry: StrategyRegistry;
  readonly #maxAgeMs: number;
  #value?: Map<string, ResolvedStrategy>;
  #loadedAt = -Infinity;
  #loading?: Promise<Map<string, ResolvedStrategy>>;

  constructor(database: Database, registry: StrategyRegistry, maxAgeMs = 5_000) {
    this.#database = database;
    this.#registry = registry;
    this.#maxAgeMs = maxAgeMs;
  }

  async get(): Promise<Map<string, ResolvedStrategy>> {
    if (this.#value && performance.now() - this.#loadedAt < this.#maxAgeMs) return this.#value;
    // One refresh at a time: a burst of misses shares the query.
    this.#loading ??= resolveStrategies(this.#database, this.#registry)
      .then(
        (list) => {
          this.#value = new Map(list.map((s) => [s.name, s]));
          this.#loadedAt = performance.now();
          return this.#value;
        },
        (error: unknown) => {
          if (!this.#value) throw error;
          this.#loadedAt = performance.now(); // try again after maxAgeMs, not on every read
          return this.#value;
        },
      )
      .finally(() => {
        this.#loading = undefined;
      });
    return this.#loading;
  }

  /**
   * The TTL a key warmed by any of `strategies` should get: the longest TTL in force among the
   * enabled ones (they warm the same values; the key lives as long as the longest-lived warmup
   * would keep it), or among all of them when none is enabled.
   */
  async ttlFor(strategies: readonly string[]): Promise<number> {
    const settings = await this.get();
    const known = strategies.map((name) => settings.get(name)).filter((s) => s !== undefined);
    if (known.length === 0) throw new Error(`No registered strategy among ${strategies.join(', ')}`);
    const enabled = known.filter((s) => s.enabled);
    return Math.max(...(enabled.length ? enabled : known).map((s) => s.ttlSeconds));
  }

  /** A strategy's options in force (recommendations' list size, say). */
  async optionsOf(strategy: string): Promise<Record<string, unknown>> {
    const settings = await this.get();
    const resolved = settings.get(strategy);
    if (!resolved) throw new Error(`No registered strategy named ${strategy}`);
    return resolved.options;
  }
}
