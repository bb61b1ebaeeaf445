import 'server-only';
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import type { RunTrigger } from '../db/schema';
import type { RunPlan } from './execute-run';
import type { StrategyRegistry } from './registry';
import { getSettings, resolveStrategies } from './settings';

/**
 * The plan of a run that another process recorded, rebuilt from its row: what a run's own process
 * (server/cli/execute-run.ts) executes. Strategies keep the order the row lists them in; their
 * settings are read now, a moment after the run was created.
 */
export async function loadRunPlan(database: Database, registry: StrategyRegistry, runId: string): Promise<RunPlan> {
  const [row] = await database.rows<{
    status: string;
    trigger: RunTrigger;
    strategies: string[];
    concurrency: number;
    only_missing: boolean;
    dry_run: boolean;
    key_filter: Record<string, string[]> | null;
    created_ms: number;
  }>(sql`
    select status, trigger, strategies, concurrency, only_missing, dry_run, key_filter,
           (extract(epoch from created_at) * 1000)::float8 as created_ms
    from runs where id = ${runId}::uuid`);
  if (!row) throw new Error(`No run ${runId} to execute`);
  if (row.status !== 'running') throw new Error(`Run ${runId} is ${row.status}, not running: nothing to execute`);
  const settings = await getSettings(database);
  const resolved = await resolveStrategies(database, registry, settings);
  const strategies = row.strategies.map((name) => {
    const found = resolved.find((r) => r.name === name);
    if (!found) throw new Error(`Run ${runId} names a strategy this process does not know: ${name}`);
    return found;
  });
  return {
    runId,
    trigger: row.trigger,
    timeoutSeconds: settings.runTimeoutSeconds,
    createdAt: new Date(row.created_ms),
    strategies,
    concurrency: row.concurrency,
    batchSize: settings.batchSize,
    loadTimeoutMs: settings.keyTimeoutMs,
    onlyMissing: row.only_missing,
    dryRun: row.dry_run,
    keyFilter: row.key_filter,
  };
}
