import 'server-only';

export const MAX_CONCURRENCY = 256;

export function validateConcurrency(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_CONCURRENCY) {
    throw new TypeError(
      `Expected concurrency to be an integer from 1 to ${MAX_CONCURRENCY}, got ${String(value)} (${typeof value})`,
    );
  }
  return value;
}

/**
 * Runs at most `concurrency` tasks at once. The limit can change while tasks run: a lower limit
 * starts nothing new until the active count has dropped below it; a higher one starts waiting
 * tasks at once. One task failing never stalls the queue.
 */
export class ConcurrencyLimiter {
  #concurrency: number;
  #active = 0;
  readonly #queue: (() => void)[] = [];

  constructor(concurrency: number) {
    this.#concurrency = validateConcurrency(concurrency);
  }

  get concurrency(): number {
    return this.#concurrency;
  }

  set concurrency(value: number) {
    this.#concurrency = validateConcurrency(value);
    this.#drain();
  }

  /** Tasks running now. */
  get activeCount(): number {
    return this.#active;
  }

  /** Tasks waiting for a slot. */
  get pendingCount(): number {
    return this.#queue.length;
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push(() => {
        this.#active++;
        task()
          .then(resolve, reject)
          .finally(() => {
            this.#active--;
            this.#drain();
          });
      });
      this.#drain();
    });
  }

  #drain(): void {
    while (this.#active < this.#concurrency && this.#queue.length > 0) this.#queue.shift()!();
  }
}
