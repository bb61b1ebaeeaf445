import 'server-only';
import type { Cache, RefreshEntry } from '../cache/cache';
import type { Database } from '../db/client';
import type { Logger } from '../logger';
import { describeLoadError, isConnectionError } from '../warmup/load-errors';
import type { ResolvedStrategy, StrategyContext } from '../warmup/strategy';

/** A key waiting to be re-warmed: every change to it since its last re-warm, coalesced. */
export type DueKey = {
  key: string;
  /** The strategies that warm it (a product key: hot_products and product_catalog). */
  strategies: Set<string>;
  /** Of those, the ones whose warm set holds it whether cached or not. */
  inWarmSetOf: Set<string>;
  /** The latest change decides: load it again, or delete it. */
  action: 'rewarm' | 'delete';
  /** Commit time of the oldest change not re-warmed yet: the delay counts from it. */
  firstCommittedAt: Date;
};

/** A strategy as re-warming sees it: its settings in force, and whether re-warm on change is on. */
export type RewarmStrategy = ResolvedStrategy & { rewarmOnChange: boolean };

export type StrategyTally = { rewarmed: number; deleted: number; skipped: number; failed: number; delaysMs: number[]; lastError: { key: string; error: string } | null };

export type RewarmPlan = {
  strategies: ReadonlyMap<string, RewarmStrategy>;
  batchSize: number;
  loadTimeoutMs: number;
  /** The WAL position read before loading: the freshness markers' version. */
  version: string;
  markerTtlSeconds: number;
  /** A run is going: mark even keys not written, so its batches loaded before the change skip them. */
  markAll: boolean;
};

/** Thrown when the database or the cache cannot be reached: nothing is confirmed, the batch is read again. */
export class RewarmUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = this.constructor.name;
  }
}

const WRITE_CHUNK = 1000;

/**
 * Re-warms due keys: each with the strategy that owns it (the highest-priority one of its strategies
 * that is enabled with re-warm on change on), loaded with that strategy's own loader in batches from
 * the primary, written with its TTL, only where cached unless the key is in a warm set, deleted when
 * the change or the load says the row is gone. Counts per owning strategy. A key no enabled strategy
 * re-warms is left alone (and not counted). Throws RewarmUnavailableError when Postgres or the cache
 * is unreachable, before anything is confirmed.
 */
export async function rewarmKeys(deps: { database: Database; cache: Cache; logger: Logger }, keys: readonly DueKey[], plan: RewarmPlan): Promise<Map<string, StrategyTally>> {
  const tallies = new Map<string, StrategyTally>();
  const tally = (strategy: string) => {
    let t = tallies.get(strategy);
    if (!t) tallies.set(strategy, (t = { rewarmed: 0, deleted: 0, skipped: 0, failed: 0, delaysMs: [], lastError: null }));
    return t;
  };

  type Work = { due: DueKey; owner: RewarmStrategy; always: boolean; value?: string | null; error?: string };
  const work: Work[] = [];
  for (const due of keys) {
    const eligible = [...due.strategies]
      .map((name) => plan.strategies.get(name))
      .filter((s): s is RewarmStrategy => !!s && s.enabled && s.rewarmOnChange)
      .sort((a, b) => b.priority - a.priority || a.name.localeCompare(b.name));
    const owner = eligible[0];
    if (!owner) continue;
    work.push({ due, owner, always: eligible.some((s) => due.inWarmSetOf.has(s.name)) });
  }
  if (work.length === 0) return tallies;

  // Loading a key only to find it is not cached wastes a query: look first (the write script looks
  // again, atomically, so a key cached in between is not missed... only written with the value
  // loaded now, which is as fresh).
  const toLoad: Work[] = [];
  const probe = work.filter((w) => w.due.action === 'rewarm' && !w.always);
  let present: (number | null)[] = [];
  try {
    present = probe.length ? await deps.cache.ttlMsMany(probe.map((w) => w.due.key)) : [];
  } catch (error) {
    throw new RewarmUnavailableError(`checking the cache failed: ${(error as Error).message}`, { cause: error });
  }
  const cached = new Map(probe.map((w, i) => [w, present[i] !== null && present[i] !== undefined]));
  for (const w of work) {
    if (w.due.action === 'delete') w.value = null;
    else if (w.always || cached.get(w)) toLoad.push(w);
  }

  // Loads per owner, in batches, with its own loader.
  const byOwner = new Map<RewarmStrategy, Work[]>();
  for (const w of toLoad) byOwner.set(w.owner, [...(byOwner.get(w.owner) ?? []), w]);
  for (const [owner, list] of byOwner) {
    const ctx: StrategyContext = { database: deps.database, options: owner.options, signal: AbortSignal.timeout(plan.loadTimeoutMs * 4), now: new Date(), batchSize: plan.batchSize };
    for (let i = 0; i < list.length; i += plan.batchSize) {
      const batch = list.slice(i, i + plan.batchSize);
      await loadBatch(owner, batch, ctx, plan.loadTimeoutMs);
    }
  }

  // Writes: keys not loaded because not cached go along only when a run needs their marker.
  const writes: { w: Work; entry: RefreshEntry }[] = [];
  for (const w of work) {
    const loaded = w.value !== undefined;
    if (!loaded && !plan.markAll) {
      tally(w.owner.name).skipped++;
      continue;
    }
    // A key whose load failed is deleted: a miss is better than a value known to be stale.
    const value = loaded ? (w.value ?? null) : null;
    writes.push({ w, entry: { key: w.due.key, value, ttlSeconds: w.owner.ttlSeconds, always: w.always } });
  }
  for (let i = 0; i < writes.length; i += WRITE_CHUNK) {
    const chunk = writes.slice(i, i + WRITE_CHUNK);
    let results;
    try {
      results = await deps.cache.refreshMany(chunk.map((c) => c.entry), { version: plan.version, markerTtlSeconds: plan.markerTtlSeconds, markAll: plan.markAll });
    } catch (error) {
      throw new RewarmUnavailableError(`writing to the cache failed: ${(error as Error).message}`, { cause: error });
    }
    const writtenAt = Date.now();
    chunk.forEach(({ w }, n) => {
      const t = tally(w.owner.name);
      const result = results[n]!;
      if (w.error) {
        t.failed++;
        t.lastError = { key: w.due.key, error: w.error };
      } else if (!result.ok) {
        t.failed++;
        t.lastError = { key: w.due.key, error: result.error };
      } else if (result.outcome === 'written' || result.outcome === 'deleted') {
        if (result.outcome === 'written') t.rewarmed++;
        else t.deleted++;
        t.delaysMs.push(Math.max(0, writtenAt - w.due.firstCommittedAt.getTime()));
      } else t.skipped++;
    });
  }
  return tallies;
}

/** Loads a batch into its work items; one bad key never spoils the others. */
async function loadBatch(owner: RewarmStrategy, batch: { due: DueKey; value?: string | null; error?: string }[], ctx: StrategyContext, timeoutMs: number): Promise<void> {
  const keys = batch.map((w) => w.due.key);
  const strategy = owner.strategy;
  if (strategy.loadMany) {
    try {
      const values = await withTimeout(strategy.loadMany(keys, ctx), timeoutMs, `loading ${keys.length} keys`);
      batch.forEach((w, i) => (w.value = values[i] ?? null));
      return;
    } catch (error) {
      if (isConnectionError(error)) throw new RewarmUnavailableError(`the database is unreachable: ${describeLoadError(error)}`, { cause: error });
      if (keys.length === 1) {
        batch[0]!.value = null;
        batch[0]!.error = describeLoadError(error);
        return;
      }
    }
  }
  await Promise.all(
    batch.map(async (w) => {
      try {
        w.value = await withTimeout(strategy.load(w.due.key, ctx), timeoutMs, `loading ${w.due.key}`);
      } catch (error) {
        if (isConnectionError(error)) throw new RewarmUnavailableError(`the database is unreachable: ${describeLoadError(error)}`, { cause: error });
        w.value = null;
        w.error = describeLoadError(error);
      }
    }),
  );
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  promise.catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
