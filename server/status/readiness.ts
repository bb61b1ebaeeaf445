import 'server-only';
import type { Database } from '../db/client';
import type { Logger } from '../logger';

export type Readiness = { ready: boolean; phase: string; checks: Record<string, { ok: boolean; detail?: string }>; requestId?: string };

/**
 * Whether this process should receive traffic: started, and its database answering now. `runtime`
 * is undefined while the process is still starting. The answer is public: a failing database is
 * reported as such with the request id, and the driver's own message (hosts, users, paths) goes
 * to the log under that id, never into the answer.
 */
export async function getReadiness(
  runtime: { phase: () => string; database: Database; logger: Logger } | undefined,
  requestId: string,
): Promise<Readiness> {
  if (!runtime) return { ready: false, phase: 'starting', checks: { runtime: { ok: false, detail: 'still starting' } } };
  const db = await runtime.database.health();
  if (!db.ok) runtime.logger.warn({ requestId, error: db.error }, 'Readiness: the database does not answer');
  const checks: Readiness['checks'] = {
    runtime: { ok: runtime.phase() === 'ready', detail: runtime.phase() },
    database: { ok: db.ok, detail: db.ok ? `${Math.round(db.latencyMs)} ms` : 'not answering' },
  };
  const ready = Object.values(checks).every((c) => c.ok);
  return { ready, phase: runtime.phase(), checks, ...(db.ok ? {} : { requestId }) };
}
