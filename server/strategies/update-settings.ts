import 'server-only';
import { eq, sql } from 'drizzle-orm';
import type { Actor } from '@/lib/api/auth';
import type { SettingsView, UpdateSettingsRequest } from '@/lib/api/strategies';
import { actorName, recordAudit } from '../audit/record-audit';
import type { ClientInfo } from '../auth/client-info';
import type { Database } from '../db/client';
import { type Settings, settings } from '../db/schema';
import { staleVersion } from '../http/if-match';
import { retuneRunningRuns } from '../warmup/settings';

export function toSettingsView(s: Settings): SettingsView {
  return {
    maxConcurrency: s.maxConcurrency,
    defaultTtlSeconds: s.defaultTtlSeconds,
    batchSize: s.batchSize,
    keyTimeoutMs: s.keyTimeoutMs,
    alertSuccessRate: s.alertSuccessRate,
    runTimeoutSeconds: s.runTimeoutSeconds,
    workerWaitSeconds: s.workerWaitSeconds,
    paused: s.paused,
    pausedAt: s.pausedAt?.toISOString() ?? null,
    pausedBy: s.pausedBy,
    updatedAt: s.updatedAt.toISOString(),
    updatedBy: s.updatedBy,
    version: s.version,
  };
}

/**
 * Changes the global settings (only the fields sent), with their audit entry, in one transaction. A new maxConcurrency
 * also becomes the limit of every run going now, in every process (their heartbeats read it back
 * within half a second): retuning is for the run in front of you, not only the next one.
 */
export async function updateSettings(
  database: Database,
  patch: UpdateSettingsRequest,
  actor: Actor,
  client: ClientInfo,
  options: { ifMatch?: number } = {},
): Promise<{ settings: SettingsView; retunedRuns: number }> {
  let retunedRuns = 0;
  const after = await database.db.transaction(async (tx) => {
    // Locked from this read to the write: the pause and the audit's "before" are exactly what the change replaced.
    const [before] = await tx.select().from(settings).where(eq(settings.id, 1)).for('update');
    if (!before) throw new Error('The settings row is missing: the database migrations have not been applied');
    if (options.ifMatch !== undefined && options.ifMatch !== before.version) throw staleVersion('The settings', options.ifMatch, before, toSettingsView(before));
    const [row] = await tx
      .update(settings)
      .set({
        ...patch,
        // The pause says since when and by whom; resuming clears both.
        ...(patch.paused !== undefined && patch.paused !== before.paused
          ? { pausedAt: patch.paused ? new Date() : null, pausedBy: patch.paused ? actorName(actor) : null }
          : {}),
        version: sql`${settings.version} + 1`,
        updatedAt: new Date(),
        updatedBy: actorName(actor),
      })
      .where(eq(settings.id, 1))
      .returning();
    if (patch.maxConcurrency !== undefined && patch.maxConcurrency !== before.maxConcurrency) {
      retunedRuns = await retuneRunningRuns(tx, patch.maxConcurrency);
    }
    const view = toSettingsView(row!);
    const { updatedAt: _a, updatedBy: _b, pausedAt: _e, pausedBy: _f, version: _v, ...beforeValues } = toSettingsView(before);
    const { updatedAt: _c, updatedBy: _d, pausedAt: _g, pausedBy: _h, version: _w, ...afterValues } = view;
    // Pausing and resuming all warming get an action of their own: the log says so at a glance.
    const action = patch.paused !== undefined && patch.paused !== before.paused && Object.keys(patch).length === 1 ? (patch.paused ? 'warming.pause' : 'warming.resume') : 'settings.update';
    await recordAudit(tx, { actor, action, target: 'settings', before: beforeValues, after: { ...afterValues, retunedRuns }, ...client });
    return view;
  });
  return { settings: after, retunedRuns };
}
