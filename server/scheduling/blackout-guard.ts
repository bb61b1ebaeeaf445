import 'server-only';
import { eq } from 'drizzle-orm';
import { blackoutAt, describeBlackout } from '@/lib/blackout';
import type { Database } from '../db/client';
import { type Scope, schedules } from '../db/schema';
import { AppError } from '../errors';
import type { StrategyRegistry } from '../warmup/registry';

/** The strategy names a scope covers by the registry (enabled or not: a schedule names what it warms). */
export function namesInScope(scope: Scope, registry: StrategyRegistry): string[] {
  const names = registry.names();
  if ('all' in scope) return names;
  if ('strategies' in scope) return scope.strategies.filter((n) => registry.has(n));
  return names.filter((n) => registry.get(n)!.tags.some((t) => scope.tags.includes(t)));
}

export type BlackoutHit = { scheduleId: number; schedule: string; window: string; timezone: string; strategies: string[] };

/**
 * The blackout windows a manual run would start in: for every enabled schedule that covers one of
 * the run's strategies, the window (in the schedule's zone) that contains `now`, if one does.
 */
export async function blackoutsCovering(database: Database, registry: StrategyRegistry, scope: Scope, now = new Date()): Promise<BlackoutHit[]> {
  const wanted = new Set(namesInScope(scope, registry));
  const rows = await database.db
    .select({ id: schedules.id, name: schedules.name, scope: schedules.scope, timezone: schedules.timezone, windows: schedules.blackoutWindows })
    .from(schedules)
    .where(eq(schedules.enabled, true))
    .orderBy(schedules.id);
  const hits: BlackoutHit[] = [];
  for (const row of rows) {
    if (row.windows.length === 0) continue;
    const shared = namesInScope(row.scope, registry).filter((n) => wanted.has(n));
    if (shared.length === 0) continue;
    const window = blackoutAt(row.windows, row.timezone, now);
    if (window) hits.push({ scheduleId: row.id, schedule: row.name, window: describeBlackout(window), timezone: row.timezone, strategies: shared });
  }
  return hits;
}

/** 409 `in_blackout` naming the schedules and windows, unless the request confirmed it. */
export async function refuseInBlackout(database: Database, registry: StrategyRegistry, scope: Scope, confirmed: boolean): Promise<BlackoutHit[]> {
  const hits = await blackoutsCovering(database, registry, scope);
  if (hits.length && !confirmed) {
    const list = hits.map((h) => `${h.window} (${h.timezone}) of schedule "${h.schedule}" for ${h.strategies.join(', ')}`).join('; ');
    throw new AppError('in_blackout', `Now is inside a blackout window: ${list}. Send "confirmBlackout": true to run anyway`, {
      status: 409,
      field: 'confirmBlackout',
      details: { blackouts: hits },
    });
  }
  return hits;
}
