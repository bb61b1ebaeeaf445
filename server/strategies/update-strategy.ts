import 'server-only';
import { eq, sql } from 'drizzle-orm';
import type { Actor } from '@/lib/api/auth';
import type { StrategyView, UpdateStrategyRequest } from '@/lib/api/strategies';
import { actorName, recordAudit } from '../audit/record-audit';
import type { ClientInfo } from '../auth/client-info';
import type { Database } from '../db/client';
import { type StrategySettingsRow, strategySettings } from '../db/schema';
import { AppError } from '../errors';
import { staleVersion } from '../http/if-match';
import { fromZodError } from '../http/request';
import type { StrategyRegistry } from '../warmup/registry';
import { getSettings } from '../warmup/settings';
import type { WarmupStrategy } from '../warmup/strategy';
import { forgetRecentStrategyViews, listStrategyViews } from './strategy-views';

/**
 * Changes a strategy's priority, TTL, enabled flag, re-warm on change, or its own settings (validated by the
 * strategy's schema; a bad one is refused naming `options.<field>`). Only the fields sent are
 * written, under the override row's lock, with the audit entry in the same transaction: two edits
 * of different fields sent at once both hold, and `ifMatch` (the version the editor saw; 0 for a
 * strategy never edited) refuses an edit based on a stale view with 412. Runs already going keep
 * the settings they started with.
 */
export async function updateStrategy(
  database: Database,
  registry: StrategyRegistry,
  name: string,
  patch: UpdateStrategyRequest,
  actor: Actor,
  client: ClientInfo,
  options: { ifMatch?: number } = {},
): Promise<StrategyView> {
  const strategy = registry.get(name);
  if (!strategy) throw new AppError('not_found', `No strategy named ${name} (known: ${registry.names().join(', ')})`, { field: 'name' });
  const { defaultTtlSeconds } = await getSettings(database);
  let stale: StrategySettingsRow | undefined;
  await database.db.transaction(async (tx) => {
    // A strategy never edited has no row: version 0, so an If-Match of 0 (as its view says) matches.
    await tx.insert(strategySettings).values({ strategy: name, version: 0 }).onConflictDoNothing();
    const [row] = await tx.select().from(strategySettings).where(eq(strategySettings.strategy, name)).for('update');
    if (options.ifMatch !== undefined && options.ifMatch !== row!.version) {
      stale = row!;
      throw staleVersion(`Strategy ${name}`, options.ifMatch, row!); // rolls back the row made above, if any
    }
    const before = effective(strategy, row!, defaultTtlSeconds);
    const set: Partial<typeof strategySettings.$inferInsert> = {};
    if (patch.priority !== undefined) set.priority = patch.priority;
    if (patch.ttlSeconds !== undefined) set.ttlSeconds = patch.ttlSeconds;
    if (patch.enabled !== undefined) set.enabled = patch.enabled;
    if (patch.rewarmOnChange !== undefined) set.rewarmOnChange = patch.rewarmOnChange;
    if (patch.options) set.options = validOptions(strategy, { ...before.options, ...patch.options });
    const [after] = await tx
      .update(strategySettings)
      .set({ ...set, version: sql`${strategySettings.version} + 1`, updatedAt: sql`now()`, updatedBy: actorName(actor) })
      .where(eq(strategySettings.strategy, name))
      .returning();
    await recordAudit(tx, { actor, action: 'strategy.update', target: `strategy:${name}`, before, after: effective(strategy, after!, defaultTtlSeconds), ...client });
  }).catch(async (error: unknown) => {
    // A 412 answers the strategy as operators see it now, not its override row.
    if (stale) throw staleVersion(`Strategy ${name}`, options.ifMatch!, stale, await viewOf(database, registry, name));
    throw error;
  });
  forgetRecentStrategyViews(database);
  return viewOf(database, registry, name);
}

async function viewOf(database: Database, registry: StrategyRegistry, name: string): Promise<StrategyView> {
  return (await listStrategyViews(database, registry)).find((s) => s.name === name)!;
}

/** The settings in force for a strategy given its override row (a null column: the default). */
function effective(strategy: WarmupStrategy, row: StrategySettingsRow, defaultTtlSeconds: number) {
  const parsed = strategy.optionsSchema.safeParse(row.options ?? {});
  return {
    priority: row.priority ?? strategy.defaultPriority,
    ttlSeconds: row.ttlSeconds ?? strategy.defaultTtlSeconds ?? defaultTtlSeconds,
    enabled: row.enabled ?? strategy.defaultEnabled,
    rewarmOnChange: row.rewarmOnChange ?? true,
    options: (parsed.success ? parsed.data : strategy.optionsSchema.parse({})) as Record<string, unknown>,
  };
}

function validOptions(strategy: WarmupStrategy, merged: Record<string, unknown>): Record<string, unknown> {
  const parsed = strategy.optionsSchema.safeParse(merged);
  if (!parsed.success) {
    const error = fromZodError(parsed.error);
    const field = error.field ? `options.${error.field}` : 'options';
    throw new AppError('invalid_request', error.message.replace(/^[^:]*:/, `${field}:`), { field });
  }
  return parsed.data as Record<string, unknown>;
}
