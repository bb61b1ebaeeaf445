import 'server-only';

/**
 * A long-lived component's background work: a periodic tick (the first after a delay, then on an
 * interval, timers that never keep the process alive) and the promises it started, so `stop()` ends
 * the timer and waits for what is under way. The coverage and effect samplers and the retention
 * runner use it; each decides what a tick does and how it reports a failure (a tick must not throw).
 */
export class BackgroundWork {
  readonly #inFlight = new Set<Promise<unknown>>();
  #timer?: NodeJS.Timeout;
  #stopped = false;

  get stopped(): boolean {
    return this.#stopped;
  }

  /** Runs `tick` after `firstAfterMs`, then every `intervalMs`. Once only; nothing after stop(). */
  every(firstAfterMs: number, intervalMs: number, tick: () => Promise<unknown>): void {
    if (this.#timer || this.#stopped) return;
    const run = () => this.track(tick());
    this.#timer = setTimeout(() => {
      if (this.#stopped) return;
      run();
      this.#timer = setInterval(run, intervalMs);
      this.#timer.unref();
    }, firstAfterMs);
    this.#timer.unref();
  }

  /** Keeps a promise until it settles (idle() and stop() wait for it). */
  track<T>(promise: Promise<T>): Promise<T> {
    this.#inFlight.add(promise);
    void promise.then(
      () => this.#inFlight.delete(promise),
      () => this.#inFlight.delete(promise),
    );
    return promise;
  }

  /** Resolves when everything tracked has settled (including what it started meanwhile). */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  /** Stops the tick and waits for the work under way. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) {
      clearTimeout(this.#timer);
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
    await this.idle();
  }
}
