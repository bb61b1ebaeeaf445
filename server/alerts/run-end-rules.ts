import 'server-only';
import { eq, sql } from 'drizzle-orm';
import { isBelowThreshold } from '@/lib/success-rate';
import { formatRate as formatPercent } from '@/lib/ui/format';
import { runs, settings } from '../db/schema';
import type { RunSummary } from '../warmup/run-records';
import { type AlertDeps, closeIncident, openIncident } from './incidents';

/** One strategy's outcome in an ended run: what the run-end rules look at. */
export type StrategyOutcome = {
  runId: string;
  runStatus: RunSummary['status'];
  trigger: string;
  scheduleId: number | null;
  strategy: string;
  /** null: the run ended before the strategy started (abandoned, failed early). */
  outcome: 'succeeded' | 'partial' | 'failed' | 'cancelled' | null;
  warmed: number;
  failed: number;
  successRate: number | null;
  error: string | null;
};

/**
 * The rules evaluated when a run ends (in the process that ended it; the periodic evaluator also
 * re-reads each strategy's latest run, so a process that died before evaluating loses nothing):
 * - `run_failed` (per strategy): the run ended failed, partial or abandoned and the strategy did
 *   not succeed: opens; the strategy's next run that succeeds closes it. A retry that ends partial
 *   leaves it open (a retry that warms every failed key closes it: nothing is left failed).
 * - `success_rate` (per strategy): lib/success-rate.ts's rate under the alert threshold (fresh
 *   skips are not failures; no rate never alerts) in a run that did not already raise run_failed
 *   for the strategy (one alert per failure); a later rate at or above it closes it.
 * - `job_dead_lettered` is closed by the strategy's next success too.
 * Dry runs and cancelled strategies change nothing.
 */
export async function evaluateRunEnd(deps: AlertDeps, summary: RunSummary): Promise<void> {
  if (summary.dryRun) return;
  const [run] = await deps.database.db.select({ trigger: runs.trigger, scheduleId: runs.scheduleId, strategies: runs.strategies }).from(runs).where(eq(runs.id, summary.runId));
  if (!run) return;
  const seen = new Set(summary.strategies.map((s) => s.strategy));
  const outcomes: StrategyOutcome[] = summary.strategies.map((s) => ({
    runId: summary.runId,
    runStatus: summary.status,
    trigger: run.trigger,
    scheduleId: run.scheduleId,
    strategy: s.strategy,
    outcome: s.outcome,
    warmed: s.warmed,
    failed: s.failed,
    successRate: s.successRate,
    error: s.error ?? null,
  }));
  for (const strategy of run.strategies) {
    if (!seen.has(strategy)) outcomes.push({ runId: summary.runId, runStatus: summary.status, trigger: run.trigger, scheduleId: run.scheduleId, strategy, outcome: null, warmed: 0, failed: 0, successRate: null, error: summary.error });
  }
  const threshold = await alertThreshold(deps);
  for (const outcome of outcomes) await evaluateStrategyOutcome(deps, outcome, threshold);
}

export async function evaluateStrategyOutcome(deps: AlertDeps, o: StrategyOutcome, threshold: number): Promise<void> {
  const subject = `strategy:${o.strategy}`;
  const details = { runId: o.runId, strategy: o.strategy, ...(o.scheduleId ? { scheduleId: o.scheduleId } : {}), path: `/runs/${o.runId}` };
  const runEndedBadly = o.runStatus === 'failed' || o.runStatus === 'partial' || o.runStatus === 'abandoned';
  if (o.outcome === 'cancelled' || (o.outcome === null && o.runStatus === 'cancelled')) return;
  const failing = o.outcome !== 'succeeded' && runEndedBadly;
  if (o.outcome === 'succeeded') {
    const reason = `Run ${o.runId.slice(0, 8)} of ${o.strategy} succeeded`;
    await closeIncident(deps, 'run_failed', subject, reason, details);
    await closeIncident(deps, 'job_dead_lettered', subject, reason, details);
  } else if (failing) {
    const status = o.runStatus === 'abandoned' ? 'was abandoned' : `ended ${o.outcome === 'partial' ? 'partial' : o.outcome === null ? o.runStatus : 'failed'}`;
    const counts = `${o.warmed} warmed, ${o.failed} failed (success rate ${o.successRate === null ? '—' : formatPercent(o.successRate)})`;
    await openIncident(deps, {
      rule: 'run_failed',
      subject,
      severity: o.outcome === 'partial' ? 'warning' : 'critical',
      title: `Warmup of ${o.strategy} ${status}`,
      text: `Run ${o.runId} (${o.trigger}) ${status} for ${o.strategy}: ${counts}.${o.error ? ` Error: ${o.error.slice(0, 300)}` : ''}`,
      details,
    });
  }
  // A strategy whose run failed alerts once, as run_failed (its rate is in the text); the rate rule
  // covers runs that ended well by their status but warmed too little.
  if (failing) return;
  if (isBelowThreshold(o.successRate, threshold)) {
    await openIncident(deps, {
      rule: 'success_rate',
      subject,
      severity: 'warning',
      title: `Success rate of ${o.strategy} below ${formatPercent(threshold)}`,
      text: `Run ${o.runId} warmed ${o.warmed} and failed ${o.failed} keys of ${o.strategy}: ${formatPercent(o.successRate!)}, under the alert threshold of ${formatPercent(threshold)}.`,
      details,
    });
  } else if (o.successRate !== null) {
    await closeIncident(deps, 'success_rate', subject, `Run ${o.runId.slice(0, 8)} of ${o.strategy} reached ${formatPercent(o.successRate)}`, details);
  }
}

export async function alertThreshold(deps: Pick<AlertDeps, 'database'>): Promise<number> {
  const [row] = await deps.database.db.select({ threshold: settings.alertSuccessRate }).from(settings).where(eq(settings.id, 1));
  return row?.threshold ?? 0.95;
}

/**
 * Each strategy's latest ended (non-dry) run of the last `hours`: the evaluator re-applies the
 * run-end rules to them (idempotent: an open incident stays one, a closed one stays closed).
 */
export async function latestStrategyOutcomes(deps: Pick<AlertDeps, 'database'>, hours = 6): Promise<StrategyOutcome[]> {
  const rows = await deps.database.rows<{ runId: string; runStatus: RunSummary['status']; trigger: string; scheduleId: number | null; strategy: string; outcome: string; warmed: number; failed: number; successRate: number | null; error: string | null }>(sql`
    select distinct on (s.strategy) r.id as "runId", r.status as "runStatus", r.trigger, r.schedule_id as "scheduleId", s.strategy, s.outcome,
           s.warmed, s.failed, s.success_rate as "successRate", coalesce(s.error, r.error) as error
    from run_strategies s join runs r on r.id = s.run_id
    where r.status <> 'running' and not r.dry_run and r.finished_at > now() - make_interval(hours => ${hours})
    order by s.strategy, r.finished_at desc`);
  return rows.map((r) => ({ ...r, outcome: r.outcome === 'skipped' ? 'failed' : (r.outcome as StrategyOutcome['outcome']) }));
}

