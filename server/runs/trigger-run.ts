import 'server-only';
import type { Actor } from '@/lib/api/auth';
import type { StartRunRequest } from '@/lib/api/runs';
import { recordAudit } from '../audit/record-audit';
import type { ClientInfo } from '../auth/client-info';
import type { Database } from '../db/client';
import { refuseInBlackout } from '../scheduling/blackout-guard';
import type { StrategyRegistry } from '../warmup/registry';
import type { Warmer } from '../warmup/warmer';
import { forgetRecentStrategyViews } from '../strategies/strategy-views';
import type { StartRunInput } from '../warmup/warmer';

/**
 * An operator's or a script's request for a run: started (and audited, in one transaction) or refused with the
 * reason (busy strategies: 409 naming them; a bad scope: 400). Runs asked for with an API token
 * are recorded with trigger `api`, from the browser `manual`.
 */
export async function triggerRun(
  runtime: { warmer: Warmer; database: Database; registry?: StrategyRegistry },
  request: StartRunRequest & Pick<StartRunInput, 'keyFilter' | 'retryOf'> & { trigger?: 'retry' },
  actor: Actor,
  client: ClientInfo,
): Promise<{ runId: string; strategies: string[] }> {
  const trigger = request.trigger ?? (actor.kind === 'token' ? 'api' : 'manual');
  const action = trigger === 'retry' ? 'run.retry' : 'run.trigger';
  // Refusals (busy, bad scope) change nothing and are not audited; the log has them. A run that
  // is recorded has its audit entry in the same transaction: both are kept, or neither.
  // Inside a blackout window of a schedule that covers the run's strategies: 409 unless confirmed
  // (a retry of a run's failed keys is its own confirmation). A dry run loads nothing: not asked.
  const blackouts = runtime.registry && trigger !== 'retry' && !request.dryRun ? await refuseInBlackout(runtime.database, runtime.registry, request.scope, request.confirmBlackout === true) : [];
  const run = await runtime.warmer.startRun({
    trigger,
    triggeredBy: actor.kind === 'token' ? `token:${actor.label}` : actor.label,
    scope: request.scope,
    concurrency: request.concurrency,
    onlyMissing: request.onlyMissing,
    dryRun: request.dryRun,
    profile: request.profile,
    keyFilter: request.keyFilter,
    retryOf: request.retryOf,
    inTransaction: (tx, row) =>
      recordAudit(tx, {
        actor,
        action,
        target: `run:${row.id}`,
        after: { scope: request.scope, strategies: row.strategies, concurrency: request.concurrency ?? null, onlyMissing: request.onlyMissing ?? false, dryRun: request.dryRun ?? false, profile: request.profile ?? 'fixed', retryOf: request.retryOf ?? null, ...(blackouts.length ? { confirmedBlackout: blackouts.map((b) => `${b.schedule}: ${b.window} (${b.timezone})`) } : {}) },
        ...client,
      }),
  });
  forgetRecentStrategyViews(runtime.database); // they show which run warms them now
  return { runId: run.runId, strategies: run.strategies };
}
