import 'server-only';
import type { Actor } from '@/lib/api/auth';
import type { RetryRunRequest } from '@/lib/api/runs';
import type { ClientInfo } from '../auth/client-info';
import { AppError } from '../errors';
import type { Database } from '../db/client';
import type { Warmer } from '../warmup/warmer';
import { getFailedKeys, getRunDetail } from './run-queries';
import { triggerRun } from './trigger-run';

/** Starts a new run limited to every key that failed in a run (trigger `retry`, linked to it), optionally a dry run or only the missing ones. */
export async function retryFailedKeys(
  runtime: { warmer: Warmer; database: Database },
  runId: string,
  options: RetryRunRequest,
  actor: Actor,
  client: ClientInfo,
): Promise<{ runId: string; strategies: string[]; keys: number }> {
  const run = await getRunDetail(runtime.database, runId);
  if (run.status === 'running') throw new AppError('conflict', `Run ${runId} is still running: retry its failed keys once it has ended`, { field: 'id' });
  const keyFilter = await getFailedKeys(runtime.database, runId);
  const strategies = Object.keys(keyFilter);
  if (strategies.length === 0) throw new AppError('conflict', `Run ${runId} has no failed keys to retry`, { field: 'id' });
  const started = await triggerRun(runtime, { scope: { strategies }, onlyMissing: options.onlyMissing, dryRun: options.dryRun, keyFilter, retryOf: runId, trigger: 'retry' }, actor, client);
  return { ...started, keys: Object.values(keyFilter).reduce((n, keys) => n + keys.length, 0) };
}
