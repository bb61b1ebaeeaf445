import 'server-only';
import type { Actor } from '@/lib/api/auth';
import { actorName, recordAudit } from '../audit/record-audit';
import type { ClientInfo } from '../auth/client-info';
import { AppError } from '../errors';
import type { Database, Db } from '../db/client';
import type { Warmer } from '../warmup/warmer';

/** Asks a run to stop, on whichever process runs it; 404 for an unknown run, 409 for an ended one. */
export async function cancelRun(runtime: { warmer: Warmer; database: Database }, runId: string, actor: Actor, client: ClientInfo): Promise<{ status: 'requested' }> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(runId)) {
    throw new AppError('not_found', `No run with id ${runId}`, { field: 'id' });
  }
  // The request and its audit entry are written in one transaction: both are kept, or neither.
  const audit = (tx: Db) => recordAudit(tx, { actor, action: 'run.cancel', target: `run:${runId}`, ...client });
  const result = await runtime.warmer.cancelRun(runId, actorName(actor), null, audit);
  if (result === 'not_found') throw new AppError('not_found', `No run with id ${runId}`, { field: 'id' });
  if (result === 'not_running') throw new AppError('conflict', `Run ${runId} has already ended`, { field: 'id' });
  return { status: 'requested' };
}
