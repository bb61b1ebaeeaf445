import 'server-only';

/**
 * Counts whole-batch cache failures in a row across a run's strategies. Once open, the run stops
 * sending work to a cache that is down or frozen instead of waiting out a command timeout for every
 * remaining batch: a dead Redis ends the run in seconds, not in (batches x timeout).
 */
export class CacheBreaker {
  #consecutive = 0;
  #lastError = '';

  constructor(readonly threshold = 3) {}

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
