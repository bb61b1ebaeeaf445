import 'server-only';
import type { Database } from '../db/client';

export type Readiness = { ready: boolean; phase: string; checks: Record<string, { ok: boolean; detail?: string }> };

/**
 * Whether this process should receive traffic: started, and its database answering now. `runtime`
 * is undefined while the process is still starting.
 */
export async function getReadiness(runtime: { phase: () => string; database: Database } | undefined): Promise<Readiness> {
  if (!runtime) return { ready: false, phase: 'starting', checks: { runtime: { ok: false, detail: 'still starting' } } };
  const db = await runtime.database.health();
  const checks: Readiness['checks'] = {
    runtime: { ok: runtime.phase() === 'ready', detail: runtime.phase() },
    database: { ok: db.ok, detail: db.ok ? `${Math.round(db.latencyMs)} ms` : db.error },
  };
  return { ready: Object.values(checks).every((c) => c.ok), phase: runtime.phase(), checks };
}
