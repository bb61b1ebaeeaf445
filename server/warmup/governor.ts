import 'server-only';
import { type GovernorProfile } from '@/lib/api/governor';

export type { GovernorProfile };

/**
 * The load governor of one shard: how many loads it keeps in flight, between a floor and its
 * ceiling (its share of the run's concurrency), from what the shard itself measures.
 *
 * It is pure: the shard feeds it every load's latency (`observeLoad`) and every cache write's
 * (`observeWrite`), and asks it at its own pace (`decide(now)`) what to do; it keeps no timer and
 * reads no clock. Decisions are taken over windows (at least `windowMs` and `minLoads` loads) on
 * the window's median, so one slow batch moves nothing.
 *
 * Profiles:
 * - `fixed`: always the ceiling (Kiln's behaviour before the governor). Measures, never moves.
 * - `gentle`: starts at the floor, where the batch latency it measures is its idle baseline (the
 *   least the database answers this run's batches in). Its budget is `budgetRatio` (2) times that
 *   baseline. Window median below `climbRatio` (1.5) x baseline: it climbs (a quarter more while
 *   the latency is near the baseline, one more above that); between 1.5x and 2x: it holds (the hold
 *   band is what keeps it still at steady load); above the budget, or when cache writes slow to
 *   `writeRatio` (3) x their own baseline: it backs off multiplicatively (x0.7). Load errors
 *   (timeouts, a refused connection) back it off too.
 * - `max`: starts at the ceiling and has no latency budget: it backs off (x0.7) only when loads fail
 *   (timeouts, errors) and climbs back (+25% a window) when they succeed again. Ceiling only.
 */
export type GovernorOptions = {
  profile: GovernorProfile;
  ceiling: number;
  /** Lowest loads in flight (default: a tenth of the ceiling, at least 1). */
  floor?: number;
  windowMs?: number;
  minLoads?: number;
  budgetRatio?: number;
  climbRatio?: number;
  writeRatio?: number;
  /**
   * Where an earlier shard of the run left off (its last sample): a gentle governor starts there,
   * with that baseline, instead of at the floor (a run's shards follow each other every shard cap).
   */
  start?: { concurrency: number; baselineMs: number | null };
};

export type GovernorDecision = {
  concurrency: number;
  previous: number;
  ceiling: number;
  floor: number;
  /** Median load (batch query) latency of the window, ms. */
  batchMs: number | null;
  /** Median cache write latency of the window, ms. */
  writeMs: number | null;
  baselineMs: number | null;
  keysPerSecond: number;
  /** Why it moved or held, in words an operator reads on the run's chart. */
  reason: string;
  /** up / down / hold: what the decision did to the concurrency. */
  move: 'up' | 'down' | 'hold';
};

const DECREASE = 0.7;

export function defaultFloor(ceiling: number): number {
  return Math.max(1, Math.min(ceiling, Math.floor(ceiling / 10)));
}

export class LoadGovernor {
  readonly profile: GovernorProfile;
  #ceiling: number;
  #floor: number;
  readonly #fixedFloor: number | undefined;
  #concurrency: number;
  readonly #windowMs: number;
  readonly #minLoads: number;
  readonly #budgetRatio: number;
  readonly #climbRatio: number;
  readonly #writeRatio: number;
  #windowStart: number | null = null;
  #loads: number[] = [];
  #writes: number[] = [];
  #keys = 0;
  #errors = 0;
  #baselineMs: number | null = null;
  #writeBaselineMs: number | null = null;

  constructor(options: GovernorOptions) {
    this.profile = options.profile;
    this.#ceiling = Math.max(1, Math.floor(options.ceiling));
    this.#fixedFloor = options.floor;
    this.#floor = this.#floorFor(this.#ceiling);
    this.#windowMs = options.windowMs ?? 1000;
    this.#minLoads = options.minLoads ?? 3;
    this.#budgetRatio = options.budgetRatio ?? 2;
    this.#climbRatio = options.climbRatio ?? 1.5;
    this.#writeRatio = options.writeRatio ?? 3;
    this.#concurrency = this.profile === 'gentle' ? this.#floor : this.#ceiling;
    if (this.profile === 'gentle' && options.start) {
      this.#concurrency = clamp(Math.round(options.start.concurrency), this.#floor, this.#ceiling);
      this.#baselineMs = options.start.baselineMs;
    }
  }

  /** Loads in flight it allows now. */
  get concurrency(): number {
    return this.#concurrency;
  }

  get ceiling(): number {
    return this.#ceiling;
  }

  get floor(): number {
    return this.#floor;
  }

  get baselineMs(): number | null {
    return this.#baselineMs;
  }

  /** Latency budget of batch loads (gentle only). */
  get budgetMs(): number | null {
    return this.profile === 'gentle' && this.#baselineMs !== null ? this.#baselineMs * this.#budgetRatio : null;
  }

  /**
   * The ceiling changed (the operator retuned the run, or its shards' shares moved): the
   * concurrency is brought within it at once; `fixed` follows it. Returns true if it moved.
   */
  setCeiling(ceiling: number): boolean {
    const next = Math.max(1, Math.floor(ceiling));
    if (next === this.#ceiling) return false;
    const before = this.#concurrency;
    this.#ceiling = next;
    this.#floor = this.#floorFor(next);
    if (this.profile === 'fixed') this.#concurrency = next;
    else this.#concurrency = clamp(this.#concurrency, this.#floor, next);
    return this.#concurrency !== before;
  }

  /** One load (a batch query, or one key's load) ended after `ms`, with `keys` keys; `ok` false: it failed. */
  observeLoad(ms: number, keys: number, ok: boolean, now: number): void {
    this.#windowStart ??= now;
    if (ok) {
      this.#loads.push(ms);
      this.#keys += keys;
    } else this.#errors++;
  }

  /** One cache write (a batch) took `ms`. */
  observeWrite(ms: number, now: number): void {
    this.#windowStart ??= now;
    this.#writes.push(ms);
  }

  /**
   * Closes the window if it is long and full enough and decides; null while the window is still
   * open (nothing changes then). The shard applies `concurrency` to its limiter.
   */
  decide(now: number): GovernorDecision | null {
    if (this.#windowStart === null) return null;
    const elapsed = now - this.#windowStart;
    if (elapsed < this.#windowMs || this.#loads.length + this.#errors < this.#minLoads) return null;
    const batchMs = median(this.#loads);
    const writeMs = median(this.#writes);
    const keysPerSecond = elapsed > 0 ? (this.#keys / elapsed) * 1000 : 0;
    const errors = this.#errors;
    const loads = this.#loads.length;
    this.#windowStart = now;
    this.#loads = [];
    this.#writes = [];
    this.#keys = 0;
    this.#errors = 0;

    const previous = this.#concurrency;
    const { reason, next } = this.#next(batchMs, writeMs, errors, loads);
    this.#concurrency = clamp(next, this.#floor, this.#ceiling);
    const move = this.#concurrency > previous ? 'up' : this.#concurrency < previous ? 'down' : 'hold';
    return {
      concurrency: this.#concurrency,
      previous,
      ceiling: this.#ceiling,
      floor: this.#floor,
      batchMs,
      writeMs,
      baselineMs: this.#baselineMs,
      keysPerSecond: Math.round(keysPerSecond),
      reason,
      move,
    };
  }

  #next(batchMs: number | null, writeMs: number | null, errors: number, loads: number): { reason: string; next: number } {
    const c = this.#concurrency;
    if (this.profile === 'fixed') return { reason: 'fixed: the ceiling', next: this.#ceiling };
    if (errors > 0 && errors * 10 >= loads) {
      return { reason: `${errors} of ${errors + loads} loads failed: backing off`, next: Math.floor(c * DECREASE) };
    }
    if (this.profile === 'max') {
      if (c >= this.#ceiling) return { reason: 'max: at the ceiling', next: c };
      return { reason: 'max: loads succeed, climbing back to the ceiling', next: c + Math.max(1, Math.ceil(c / 4)) };
    }

    // gentle
    if (batchMs === null) return { reason: 'no load finished in the window', next: c };
    if (writeMs !== null) this.#writeBaselineMs = this.#writeBaselineMs === null ? writeMs : Math.min(this.#writeBaselineMs, writeMs);
    const first = this.#baselineMs === null;
    if (this.#baselineMs === null || batchMs < this.#baselineMs) this.#baselineMs = batchMs;
    else if (c <= this.#floor) {
      // At the floor the run cannot load the database less: what it measures there is the
      // database's own state, so the baseline drifts towards it (a busier shop moves it up slowly).
      this.#baselineMs += (batchMs - this.#baselineMs) * 0.05;
    }
    const baseline = this.#baselineMs;
    const ratio = batchMs / baseline;
    const budget = baseline * this.#budgetRatio;
    if (ratio > this.#budgetRatio) {
      return { reason: `batch latency ${fmt(batchMs)} ms over its budget ${fmt(budget)} ms (${this.#budgetRatio}x baseline ${fmt(baseline)} ms)`, next: Math.floor(c * DECREASE) };
    }
    const writeBase = this.#writeBaselineMs;
    if (writeMs !== null && writeBase !== null && writeMs > writeBase * this.#writeRatio && writeMs - writeBase > 5) {
      return { reason: `cache writes slowed to ${fmt(writeMs)} ms (baseline ${fmt(writeBase)} ms)`, next: Math.floor(c * DECREASE) };
    }
    if (ratio >= this.#climbRatio) {
      return { reason: `batch latency ${fmt(batchMs)} ms within budget ${fmt(budget)} ms: holding`, next: c };
    }
    if (c >= this.#ceiling) return { reason: `at the ceiling, batch latency ${fmt(batchMs)} ms within budget`, next: c };
    const step = ratio < 1.2 ? Math.max(1, Math.ceil(c / 4)) : 1;
    if (first) return { reason: `idle baseline measured: ${fmt(batchMs)} ms a batch; +${step}`, next: c + step };
    return { reason: `batch latency ${fmt(batchMs)} ms, ${ratio.toFixed(1)}x baseline: +${step}`, next: c + step };
  }

  #floorFor(ceiling: number): number {
    return this.#fixedFloor !== undefined ? clamp(this.#fixedFloor, 1, ceiling) : defaultFloor(ceiling);
  }
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, n));
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function fmt(ms: number): string {
  return ms < 10 ? ms.toFixed(1) : String(Math.round(ms));
}
