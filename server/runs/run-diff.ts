import 'server-only';
import { and, desc, eq, lt } from 'drizzle-orm';
import type { RunDiff, StrategyDiff } from '@/lib/api/used';
import type { Database } from '../db/client';
import { runFailures, runStrategies, runWarmSets, runs, warmKeys } from '../db/schema';
import { AppError } from '../errors';
import { hashFraction } from '../warmup/warm-set';

const EXAMPLES = 5;

/**
 * What changed in each strategy of a run against the previous run of the same strategy: keys
 * added and dropped (a run's keys: the ones it wrote and the ones it failed), keys newly failing
 * and no longer failing. Exact while both warm sets were kept whole; where one was kept at a hash keep rate, both
 * are compared on the keys under the smaller rate and the counts scaled up by its inverse (labelled
 * `sample`). Warm sets are kept for the last two runs of a strategy: an older run's diff is `none`
 * for the sets (its failures still compare).
 */
export async function getRunDiff(database: Database, runId: string): Promise<RunDiff> {
  const [run] = await database.db.select({ id: runs.id }).from(runs).where(eq(runs.id, runId));
  if (!run) throw new AppError('not_found', `No run with id ${runId}`, { field: 'id' });
  const recorded = await database.db
    .select()
    .from(runStrategies)
    .where(and(eq(runStrategies.runId, runId), eq(runStrategies.dryRun, false)))
    .orderBy(runStrategies.position);
  const strategies: StrategyDiff[] = [];
  for (const r of recorded) {
    const [previous] = await database.db
      .select({ runId: runStrategies.runId })
      .from(runStrategies)
      .where(and(eq(runStrategies.strategy, r.strategy), eq(runStrategies.dryRun, false), lt(runStrategies.startedAt, r.startedAt)))
      .orderBy(desc(runStrategies.startedAt))
      .limit(1);
    strategies.push(await diffStrategy(database, r.strategy, runId, previous?.runId ?? null));
  }
  return { runId, strategies };
}

async function diffStrategy(database: Database, strategy: string, runId: string, previousRunId: string | null): Promise<StrategyDiff> {
  const failing = await failedKeys(database, runId, strategy);
  const base: StrategyDiff = {
    strategy,
    previousRunId,
    method: 'none',
    keepRate: 1,
    truncated: false,
    added: 0,
    dropped: 0,
    newlyFailing: failing.size,
    noLongerFailing: 0,
    examples: { added: [], dropped: [], newlyFailing: [...failing].slice(0, EXAMPLES), noLongerFailing: [] },
  };
  if (!previousRunId) return base;
  const failedBefore = await failedKeys(database, previousRunId, strategy);
  const newlyFailing = [...failing].filter((k) => !failedBefore.has(k));
  const noLongerFailing = [...failedBefore].filter((k) => !failing.has(k));
  const diff: StrategyDiff = {
    ...base,
    newlyFailing: newlyFailing.length,
    noLongerFailing: noLongerFailing.length,
    examples: { ...base.examples, newlyFailing: newlyFailing.slice(0, EXAMPLES), noLongerFailing: noLongerFailing.slice(0, EXAMPLES) },
  };
  const [now, before] = await Promise.all([warmSet(database, runId, strategy), warmSet(database, previousRunId, strategy)]);
  // The previous run's keys were pruned (not among the strategy's last two runs), or a run kept none.
  if (!now || !before || (before.kept > 0 && before.keys.size === 0) || (now.kept > 0 && now.keys.size === 0)) return diff;
  const rate = Math.min(now.keepRate, before.keepRate);
  const pick = (keys: Set<string>) => (rate < 1 ? new Set([...keys].filter((k) => hashFraction(k) < rate)) : keys);
  // A run's keys: the ones it wrote and the ones it failed (a key that starts failing is not "dropped").
  const a = pick(new Set([...now.keys, ...failing]));
  const b = pick(new Set([...before.keys, ...failedBefore]));
  const added = [...a].filter((k) => !b.has(k));
  const dropped = [...b].filter((k) => !a.has(k));
  return {
    ...diff,
    method: rate < 1 ? 'sample' : 'exact',
    keepRate: rate,
    truncated: now.truncated || before.truncated,
    added: Math.round(added.length / rate),
    dropped: Math.round(dropped.length / rate),
    examples: { ...diff.examples, added: added.slice(0, EXAMPLES), dropped: dropped.slice(0, EXAMPLES) },
  };
}

async function failedKeys(database: Database, runId: string, strategy: string): Promise<Set<string>> {
  const rows = await database.db.selectDistinct({ key: runFailures.key }).from(runFailures).where(and(eq(runFailures.runId, runId), eq(runFailures.strategy, strategy)));
  return new Set(rows.map((r) => r.key));
}

async function warmSet(database: Database, runId: string, strategy: string): Promise<{ keys: Set<string>; keepRate: number; truncated: boolean; kept: number } | null> {
  const [set] = await database.db.select().from(runWarmSets).where(and(eq(runWarmSets.runId, runId), eq(runWarmSets.strategy, strategy)));
  if (!set) return null;
  const rows = await database.db.select({ key: warmKeys.key }).from(warmKeys).where(and(eq(warmKeys.runId, runId), eq(warmKeys.strategy, strategy)));
  return { keys: new Set(rows.map((r) => r.key)), keepRate: set.keepRate, truncated: set.truncated, kept: set.kept };
}
