import 'server-only';

/**
 * Counts whole-batch cache failures in a row across a run's strategies. Once open, the run stops
 * sending work to a cache that is down or frozen instead of waiting out a command timeout for every
 * remaining batch: a dead Redis ends the run in seconds, not in (batches x timeout).
 */
export class CacheBreaker {
  #consecutive = 0;
  #lastError = '';

  /**
   * `carried`: failures in a row the run's earlier shards ended with (kept in the run's record),
   * so that a dead cache is noticed across a run's shards and strategies as within one.
   */
  constructor(
    readonly threshold = 3,
    carried: { consecutive: number; lastError: string | null } = { consecutive: 0, lastError: null },
  ) {
    this.#consecutive = carried.consecutive;
    this.#lastError = carried.lastError ?? '';
  }

  /** Whole-batch cache failures in a row so far, and the last one's error. */
  get state(): { consecutive: number; lastError: string | null } {
    return { consecutive: this.#consecutive, lastError: this.#lastError || null };
  }

  success(): void {
    this.#consecutive = 0;
  }

  failure(error: string): void {
    this.#consecutive++;
    this.#lastError = error;
  }

  get open(): boolean {
    return this.#consecutive >= this.threshold;
  }

  get reason(): string {
    return `the cache is unavailable: ${this.#consecutive} batch writes in a row failed (last: ${this.#lastError})`;
  }
}
