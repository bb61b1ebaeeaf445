import 'server-only';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { successRate } from '@/lib/success-rate';
import type { Database } from '../db/client';
import type { RunStatus } from '../db/schema';
import type { Logger } from '../logger';
import type { StrategyOutcome, StrategyStats } from './engine';
import type { RunHandle, RunSummary } from './execute-run';
import { finishRun } from './run-store';

export type ChildRunDeps = {
  database: Database;
  logger: Logger;
  /** The child's environment: the server's own (tests pass theirs). */
  env?: NodeJS.ProcessEnv;
};

/**
 * Executes a recorded run in a process of its own (server/cli/execute-run.ts) and resolves with its
 * outcome, read back from Postgres once the process has ended. Aborting the handle's controller
 * (a cancel, a shutdown) asks the process to stop and save. A process that ends without finishing
 * its run (it crashed) has the run marked failed with the reason.
 */
export async function executeRunInChild(deps: ChildRunDeps, handle: RunHandle): Promise<RunSummary> {
  const { runId } = handle.plan;
  const script = path.join(process.cwd(), 'server', 'cli', 'execute-run.ts');
  const started = Date.now();
  // `--import tsx` resolves from the working directory (the app's root): naming the package here,
  // rather than resolving it, keeps the bundler from pulling tsx into the server build.
  const child = spawn(process.execPath, ['--conditions=react-server', '--import', 'tsx', script, runId], {
    cwd: process.cwd(),
    env: deps.env ?? process.env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const abort = () => {
    const reason = handle.controller.signal.reason instanceof Error ? handle.controller.signal.reason.message : 'cancelled';
    if (child.connected) child.send({ type: 'abort', reason });
  };
  handle.controller.signal.addEventListener('abort', abort, { once: true });
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (error) => {
      deps.logger.error({ err: error, runId }, 'Could not start the run process');
      resolve({ code: null, signal: null });
    });
  });
  handle.controller.signal.removeEventListener('abort', abort);
  const summary = await loadRunSummary(deps.database, runId);
  if (summary.status !== 'running') return summary as RunSummary;
  const reason = `the run's process ended (${exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`}) before the run finished`;
  deps.logger.error({ runId, ...exit }, reason);
  const totals = { ...summary.totals, durationMs: Date.now() - started };
  await finishRun(deps.database, runId, 'failed', totals, reason, {});
  return { ...summary, status: 'failed', totals, error: reason };
}

/** A run's outcome as its record says, in the shape executeRun returns. */
async function loadRunSummary(database: Database, runId: string): Promise<Omit<RunSummary, 'status'> & { status: RunStatus }> {
  const [run] = await database.rows<{ status: RunStatus; total: number; warmed: number; skipped: number; failed: number; duration_ms: number | null; error: string | null; dry_run: boolean }>(sql`
    select status, total::float8 as total, warmed::float8 as warmed, skipped::float8 as skipped, failed::float8 as failed,
           duration_ms, error, dry_run from runs where id = ${runId}::uuid`);
  const rows = await database.rows<{
    strategy: string; outcome: StrategyOutcome; priority: number; ttl_seconds: number; total: number; warmed: number; skipped: number;
    failed: number; success_rate: number | null; started_at: string; finished_at: string; duration_ms: number; error: string | null;
    first_errors: { key: string; error: string }[]; dry_run: boolean;
  }>(sql`select strategy, outcome, priority, ttl_seconds, total, warmed, skipped, failed, success_rate, started_at::text, finished_at::text,
                duration_ms, error, first_errors, dry_run
         from run_strategies where run_id = ${runId}::uuid order by position`);
  const strategies: StrategyStats[] = rows.map((r) => ({
    strategy: r.strategy,
    outcome: r.outcome,
    priority: r.priority,
    ttlSeconds: r.ttl_seconds,
    total: r.total,
    warmed: r.warmed,
    skipped: r.skipped,
    failed: r.failed,
    successRate: r.success_rate,
    startedAt: new Date(r.started_at),
    finishedAt: new Date(r.finished_at),
    durationMs: r.duration_ms,
    error: r.error ?? undefined,
    firstErrors: r.first_errors,
    dryRun: r.dry_run,
  }));
  const totals = { total: run!.total, warmed: run!.warmed, skipped: run!.skipped, failed: run!.failed, durationMs: run!.duration_ms ?? 0 };
  return {
    runId,
    status: run!.status,
    strategies,
    totals,
    successRate: successRate(totals),
    error: run!.error,
  };
}
