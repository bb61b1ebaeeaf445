import 'server-only';
import type { StrategyProgress } from '@/lib/api/runs';
import { successRate } from '@/lib/success-rate';
import type { Cache } from '../cache/cache';
import type { Database } from '../db/client';
import { CacheBreaker } from './cache-breaker';
import { describeLoadError, isConnectionError } from './load-errors';
import type { ConcurrencyLimiter } from './limiter';
import type { KeyRange, ResolvedStrategy, StrategyContext } from './strategy';

export type StrategyOutcome = 'succeeded' | 'partial' | 'failed' | 'cancelled';

export type { StrategyProgress };

export type StrategyStats = {
  strategy: string;
  outcome: StrategyOutcome;
  priority: number;
  ttlSeconds: number;
  /** Keys processed: warmed + skipped + failed (for a dry run: keys counted). */
  total: number;
  warmed: number;
  skipped: number;
  failed: number;
  /** warmed / (warmed + failed); null when nothing was warmed or failed (lib/success-rate.ts). */
  successRate: number | null;
  startedAt: Date;
  finishedAt: Date;
  durationMs: number;
  /** Why the strategy failed as a whole (its key listing threw, say). */
  error?: string;
  firstErrors: { key: string; error: string }[];
  dryRun: boolean;
  /**
   * The strategy stopped listing before its end (its time cap): every key it listed is done, and
   * the rest starts at `resume`.
   */
  cut: boolean;
  resume: { position: number } | { skip: number } | null;
  /** It reached its write deadline (its fence): it wrote nothing after it, and its counts must not be kept. */
  fenced: boolean;
};

export type WarmOptions = {
  cache: Cache;
  database: Database;
  /** Bounds loads in flight; its limit may change while the strategy runs. */
  limiter: ConcurrencyLimiter;
  signal: AbortSignal;
  batchSize: number;
  /** A load (one key, or one batch through loadMany) that takes longer fails with a timeout. */
  loadTimeoutMs: number;
  /** Skip keys still cached with more than half their TTL left. */
  onlyMissing: boolean;
  /** Count the keys, load and write nothing. */
  dryRun: boolean;
  /** Warm only these keys (a retry of failed keys) instead of the strategy's own listing. */
  keys?: readonly string[];
  /** Only the keys of this range of the strategy's key space (a shard). */
  range?: KeyRange;
  /** Pass over the first keys of the listing (a cut shard without a key space resumes so). */
  skip?: number;
  /**
   * Asked after each listed batch: true (its time cap, its worker shutting down) and no new batch is
   * listed: the strategy ends `cut` once the batches in flight are done, saying where the rest resumes.
   */
  stopListing?: () => boolean;
  /**
   * performance.now() after which no cache write may start: the attempt may no longer own its work
   * (another worker may take it over), so it stops writing at once and reports `fenced`.
   */
  fenceAt?: number;
  now: Date;
  /** Called at most every `progressIntervalMs`, and once at the end. */
  onProgress?: (progress: StrategyProgress) => void;
  progressIntervalMs?: number;
  /**
   * Called after each batch write with the keys it wrote and when the write ended (a key's baseline
   * for "read since it was written", issue 18). Not called for superseded keys or in a dry run.
   */
  onWarmed?: (keys: string[], writtenAt: Date) => void;
  /** Called for every failed key; the caller decides how many to keep. */
  onFailure?: (key: string, error: string) => void;
  /** Called once before the first key, with the expected key count when the strategy knows it. */
  onStart?: (expected: number | null) => void;
  /** Shared by a run's strategies: once it opens, no more work goes to the cache. */
  breaker?: CacheBreaker;
  /**
   * Freshness guard (server/freshness, issue 17): the database's WAL position, read before each
   * batch loads. The batch's write then skips (as `skipped`) every key re-warmed on change from that
   * position or a later one, whose value may be newer than the batch's. Absent: no guard.
   */
  readVersion?: () => Promise<string>;
  /**
   * Told after every load (a batch through loadMany, or one key's load) with how long it took in
   * flight (its wait for a slot not counted), its keys and whether it succeeded: the governor's input.
   */
  onLoad?: (ms: number, keys: number, ok: boolean) => void;
  /** Told after every cache write (one batch) with how long it took. */
  onWrite?: (ms: number, keys: number) => void;
};

const FIRST_ERRORS = 5;
const NOT_STARTED = Symbol('not started');

class CacheDownError extends Error {}

export class LoadTimeoutError extends Error {
  constructor(ms: number, what: string) {
    super(`${what} timed out after ${ms} ms`);
    this.name = this.constructor.name;
  }
}

/**
 * Warms one strategy's keys: lists them in batches, skips fresh ones in only-missing mode, loads
 * values (a batch per query where the strategy can) with at most `limiter.concurrency` loads in
 * flight, writes each batch to the cache in one pipelined call with the strategy's TTL, and counts
 * every key as warmed, skipped (no data, or still fresh) or failed (with its error). One failure
 * never stops the others; a listing that throws fails the strategy with that error.
 */
export async function warmStrategy(resolved: ResolvedStrategy, options: WarmOptions): Promise<StrategyStats> {
  const { strategy, ttlSeconds } = resolved;
  const { cache, limiter, signal, batchSize } = options;
  const startedAt = new Date();
  const started = performance.now();
  const ctx: StrategyContext = {
    database: options.database,
    options: resolved.options,
    signal,
    now: options.now,
    batchSize,
    range: options.range,
  };
  const counts = { done: 0, warmed: 0, skipped: 0, failed: 0 };
  const breaker = options.breaker ?? new CacheBreaker();
  const firstErrors: { key: string; error: string }[] = [];
  let error: string | undefined;
  let cut = false;
  let fenced = false;
  let listedCount = 0;
  let lastListed: string | undefined;

  const skip = options.skip ?? 0;
  const expected = options.keys
    ? Math.max(0, options.keys.length - skip)
    : strategy.countKeys
      ? await strategy.countKeys(ctx).then(
          (n) => Math.max(0, n - skip),
          () => null,
        )
      : null;

  options.onStart?.(expected);
  const intervalMs = options.progressIntervalMs ?? 250;
  let lastProgress = 0;
  const progress = (force = false) => {
    if (!options.onProgress) return;
    const now = performance.now();
    if (!force && now - lastProgress < intervalMs) return;
    lastProgress = now;
    const elapsedMs = now - started;
    options.onProgress({
      strategy: resolved.name,
      expected,
      ...counts,
      keysPerSecond: elapsedMs > 0 ? Math.round((counts.done / elapsedMs) * 1000) : 0,
      elapsedMs: Math.round(elapsedMs),
    });
  };

  const fail = (key: string, message: string) => {
    counts.failed++;
    counts.done++;
    if (firstErrors.length < FIRST_ERRORS) firstErrors.push({ key, error: message });
    options.onFailure?.(key, message);
  };

  /** Loads and writes one batch of keys. Never throws: every key ends with an outcome. */
  const processBatch = async (batch: string[]): Promise<void> => {
    let keys = batch;
    if (options.onlyMissing) {
      let ttls: (number | null)[];
      try {
        ttls = await cache.ttlMsMany(keys);
      } catch (e) {
        breaker.failure(message(e));
        for (const key of keys) fail(key, `checking the cache failed: ${message(e)}`);
        return;
      }
      // "Missing" means gone, or with half its TTL or less left: it would expire soon anyway.
      const freshAbove = (ttlSeconds * 1000) / 2;
      keys = keys.filter((_, i) => {
        const ttl = ttls[i];
        if (ttl !== null && ttl !== undefined && ttl > freshAbove) {
          counts.skipped++;
          counts.done++;
          return false;
        }
        return true;
      });
      if (keys.length === 0) return;
    }

    // Freshness guard: the position is read before the load, so a change re-warmed after it wins.
    let version: string | undefined;
    if (options.readVersion) {
      try {
        version = await options.readVersion();
      } catch (e) {
        for (const key of keys) fail(key, `reading the database position failed: ${describeLoadError(e)}`);
        return;
      }
    }
    const values = await loadBatch(keys);
    const entries: { key: string; value: string; ttlSeconds: number }[] = [];
    keys.forEach((key, i) => {
      const value = values[i];
      if (value === NOT_STARTED) return; // cancelled before its load began: not counted at all
      if (value instanceof Error) fail(key, value.message);
      else if (value === null || value === undefined) {
        counts.skipped++;
        counts.done++;
      } else entries.push({ key, value, ttlSeconds });
    });
    if (entries.length === 0) return;
    if (fenced || (options.fenceAt !== undefined && performance.now() >= options.fenceAt)) {
      fenced = true; // past the fence: not written, not counted (the next attempt does them)
      return;
    }

    try {
      const writeStarted = performance.now();
      const results = await cache.setMany(entries, version === undefined ? undefined : { version });
      options.onWrite?.(performance.now() - writeStarted, entries.length);
      // Taken once the write is done, not before: a write queued behind others (a busy process) would
      // otherwise look older than it is, and an unread key's idle time shorter than the time since it.
      const writtenAt = new Date();
      breaker.success();
      if (options.onWarmed) options.onWarmed(entries.filter((_, i) => results[i]?.ok && !(results[i] as { superseded?: true }).superseded).map((e) => e.key), writtenAt);
      results.forEach((result, i) => {
        if (result.ok && result.superseded) {
          counts.skipped++; // re-warmed on change since this batch loaded: that value is newer
          counts.done++;
        } else if (result.ok) {
          counts.warmed++;
          counts.done++;
        } else fail(entries[i]!.key, `cache write failed: ${result.error}`);
      });
    } catch (e) {
      breaker.failure(message(e));
      for (const entry of entries) fail(entry.key, `cache write failed: ${message(e)}`);
    }
  };

  /** Reports a load's latency to onLoad once it settles (called inside the limiter: slot waits are not counted). */
  const timed = <T>(keys: number, load: Promise<T>): Promise<T> => {
    if (!options.onLoad) return load;
    const loadStarted = performance.now();
    return load.then(
      (value) => {
        options.onLoad!(performance.now() - loadStarted, keys, true);
        return value;
      },
      (e: unknown) => {
        if (!signal.aborted) options.onLoad!(performance.now() - loadStarted, keys, false);
        throw e;
      },
    );
  };

  /** Values for keys, an Error per key that could not be loaded, NOT_STARTED for keys a cancel stopped. */
  const loadBatch = async (keys: string[]): Promise<(string | null | Error | typeof NOT_STARTED)[]> => {
    if (strategy.loadMany) {
      try {
        return await limiter.run(() => timed(keys.length, withTimeout(strategy.loadMany!(keys, ctx), options.loadTimeoutMs, `loading ${keys.length} keys`)));
      } catch (e) {
        // A timeout, an unreachable source or a cancelled run applies to the whole batch. Any
        // other error may be one bad key spoiling the query: load the keys one by one so only
        // that key fails.
        if (e instanceof LoadTimeoutError || isConnectionError(e) || signal.aborted || keys.length === 1) return keys.map(() => asError(e));
      }
    }
    return Promise.all(
      keys.map((key) =>
        limiter
          .run((): Promise<string | null | typeof NOT_STARTED> => {
            if (signal.aborted) return Promise.resolve(NOT_STARTED);
            return timed(1, withTimeout(strategy.load(key, ctx), options.loadTimeoutMs, `loading ${key}`));
          })
          .catch(asError),
      ),
    );
  };

  // The producer runs ahead of the loads by a bounded number of batches, so a million keys never
  // sit in memory at once whatever the listing's speed.
  const inFlight = new Set<Promise<void>>();
  const maxBatchesInFlight = () =>
    strategy.loadMany ? limiter.concurrency + 1 : Math.max(2, Math.ceil((limiter.concurrency * 2) / batchSize) + 1);
  const produce = async () => {
    let capReached = false;
    for await (const listed of listKeys(resolved, options, ctx)) {
      if (signal.aborted || fenced) return;
      // Past the time cap with keys still to list: this batch and the rest are another shard's.
      // (A listing that ends right at the cap is simply done: no empty rest is queued.)
      if (capReached) {
        cut = true;
        return;
      }
      if (breaker.open) throw new CacheDownError(breaker.reason);
      if (options.dryRun) {
        counts.done += listed.length;
      } else {
        for (let i = 0; i < listed.length && !signal.aborted; i += batchSize) {
          while (inFlight.size >= maxBatchesInFlight()) await Promise.race(inFlight);
          if (breaker.open) throw new CacheDownError(breaker.reason);
          const task = processBatch(listed.slice(i, i + batchSize)).finally(() => {
            inFlight.delete(task);
            progress();
          });
          inFlight.add(task);
        }
      }
      listedCount += listed.length;
      lastListed = listed.at(-1) ?? lastListed;
      progress();
      // The time cap: the batches listed so far finish, the rest is another shard's.
      if (options.stopListing?.() && !signal.aborted) capReached = true;
    }
  };
  if (options.dryRun && expected !== null) {
    counts.done = expected; // a dry run only counts: the strategy's own count is enough
  } else if (breaker.open && !options.dryRun) {
    error = breaker.reason; // an earlier strategy of the run found the cache down
  } else {
    try {
      await produce();
    } catch (e) {
      error = e instanceof CacheDownError ? e.message : `listing keys failed: ${describeLoadError(e)}`;
    }
  }
  await Promise.all(inFlight);
  progress(true);

  const finishedAt = new Date();
  const total = options.dryRun ? counts.done : counts.warmed + counts.skipped + counts.failed;
  const outcome: StrategyOutcome = signal.aborted
    ? 'cancelled'
    : error
      ? 'failed'
      : counts.failed > 0
        ? counts.warmed > 0 || counts.skipped > 0
          ? 'partial'
          : 'failed'
        : 'succeeded';
  return {
    strategy: resolved.name,
    outcome,
    priority: resolved.priority,
    ttlSeconds,
    total,
    warmed: counts.warmed,
    skipped: counts.skipped,
    failed: counts.failed,
    successRate: successRate(counts),
    startedAt,
    finishedAt,
    durationMs: Math.round(performance.now() - started),
    error,
    firstErrors,
    dryRun: options.dryRun,
    cut: cut && !fenced,
    resume: cut && !fenced ? resumeAfter(resolved, options, listedCount, lastListed) : null,
    fenced,
  };
}

/** Where a cut strategy's remaining keys start: after its last key's position, or past what it listed. */
function resumeAfter(resolved: ResolvedStrategy, options: WarmOptions, listed: number, lastKey: string | undefined): StrategyStats['resume'] {
  const space = resolved.strategy.keySpace;
  if (space && !options.keys && lastKey !== undefined) return { position: space.positionOf(lastKey) + 1 };
  return { skip: (options.skip ?? 0) + listed };
}

async function* listKeys(resolved: ResolvedStrategy, options: WarmOptions, ctx: StrategyContext): AsyncIterable<string[]> {
  let toSkip = options.skip ?? 0;
  if (options.keys) {
    for (let i = toSkip; i < options.keys.length; i += options.batchSize) yield options.keys.slice(i, i + options.batchSize);
    return;
  }
  for await (const batch of resolved.strategy.keys(ctx)) {
    if (toSkip >= batch.length) {
      toSkip -= batch.length;
      continue;
    }
    yield toSkip > 0 ? batch.slice(toSkip) : batch;
    toSkip = 0;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  // The load goes on after a timeout (a query cannot always be stopped); its late rejection must
  // not surface as an unhandled rejection.
  promise.catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LoadTimeoutError(ms, what)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** An Error whose message is what a failed key records. */
function asError(e: unknown): Error {
  return new Error(describeLoadError(e));
}
