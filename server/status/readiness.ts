import 'server-only';
import type { Database } from '../db/client';
import { type ShopSource, formatBytes } from '../db/shop-source';
import type { Logger } from '../logger';

export type Readiness = { ready: boolean; phase: string; checks: Record<string, { ok: boolean; detail?: string }>; requestId?: string };

/**
 * Whether this process should receive traffic: started, and its database answering now. `runtime`
 * is undefined while the process is still starting. The answer is public: a failing database is
 * reported as such with the request id, and the driver's own message (hosts, users, paths) goes
 * to the log under that id, never into the answer.
 */
export async function getReadiness(
  runtime: { phase: () => string; database: Database; logger: Logger; shopSource?: ShopSource } | undefined,
  requestId: string,
): Promise<Readiness> {
  if (!runtime) return { ready: false, phase: 'starting', checks: { runtime: { ok: false, detail: 'still starting' } } };
  const db = await runtime.database.health();
  if (!db.ok) runtime.logger.warn({ requestId, error: db.error }, 'Readiness: the database does not answer');
  const checks: Readiness['checks'] = {
    runtime: { ok: runtime.phase() === 'ready', detail: runtime.phase() },
    database: { ok: db.ok, detail: db.ok ? `${Math.round(db.latencyMs)} ms` : 'not answering' },
  };
  // The read replica is reported, never a reason to take traffic away: runs load from the primary without it.
  let replicaDown = false;
  if (runtime.shopSource?.replica) {
    const replica = await runtime.shopSource.check();
    replicaDown = replica.state !== 'ok';
    if (replica.state === 'unreachable') runtime.logger.warn({ requestId, error: replica.error }, 'Readiness: the read replica does not answer');
    checks.replica = {
      ok: replica.state === 'ok',
      detail:
        replica.state === 'ok'
          ? `in use, ${formatBytes(replica.lagBytes)} behind`
          : replica.state === 'lagging'
            ? `passed over: ${formatBytes(replica.lagBytes)} behind (bound ${formatBytes(runtime.shopSource.maxLagBytes)}); runs load from the primary`
            : 'passed over: not answering; runs load from the primary',
    };
  }
  const ready = Object.entries(checks).every(([name, c]) => c.ok || name === 'replica');
  return { ready, phase: runtime.phase(), checks, ...(db.ok && !replicaDown ? {} : { requestId }) };
}
