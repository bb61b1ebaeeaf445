import 'server-only';
import type { Actor } from '@/lib/api/auth';
import type { StrategyView, UpdateStrategyRequest } from '@/lib/api/strategies';
import { actorName, recordAudit } from '../audit/record-audit';
import type { ClientInfo } from '../auth/client-info';
import type { Database } from '../db/client';
import { strategySettings } from '../db/schema';
import { AppError } from '../errors';
import { fromZodError } from '../http/request';
import type { StrategyRegistry } from '../warmup/registry';
import { forgetRecentStrategyViews, listStrategyViews } from './strategy-views';

/**
 * Changes a strategy's priority, TTL, enabled flag, re-warm on change, or its own settings (validated by the
 * strategy's schema; a bad one is refused naming `options.<field>`). The change and its audit
 * entry are written together. Runs already going keep the settings they started with.
 */
export async function updateStrategy(
  database: Database,
  registry: StrategyRegistry,
  name: string,
  patch: UpdateStrategyRequest,
  actor: Actor,
  client: ClientInfo,
): Promise<StrategyView> {
  const strategy = registry.get(name);
  if (!strategy) throw new AppError('not_found', `No strategy named ${name} (known: ${registry.names().join(', ')})`, { field: 'name' });
  const before = (await listStrategyViews(database, registry)).find((s) => s.name === name)!;
  let options = before.options;
  if (patch.options) {
    const parsed = strategy.optionsSchema.safeParse({ ...before.options, ...patch.options });
    if (!parsed.success) {
      const error = fromZodError(parsed.error);
      const field = error.field ? `options.${error.field}` : 'options';
      throw new AppError('invalid_request', error.message.replace(/^[^:]*:/, `${field}:`), { field });
    }
    options = parsed.data as Record<string, unknown>;
  }
  const values = {
    priority: patch.priority ?? before.priority,
    ttlSeconds: patch.ttlSeconds ?? before.ttlSeconds,
    enabled: patch.enabled ?? before.enabled,
    rewarmOnChange: patch.rewarmOnChange ?? before.rewarmOnChange,
    options,
    updatedAt: new Date(),
    updatedBy: actorName(actor),
  };
  await database.db.transaction(async (tx) => {
    await tx.insert(strategySettings).values({ strategy: name, ...values }).onConflictDoUpdate({ target: strategySettings.strategy, set: values });
    await recordAudit(tx, {
      actor,
      action: 'strategy.update',
      target: `strategy:${name}`,
      before: pick(before),
      after: { priority: values.priority, ttlSeconds: values.ttlSeconds, enabled: values.enabled, rewarmOnChange: values.rewarmOnChange, options },
      ...client,
    });
  });
  forgetRecentStrategyViews(database);
  return (await listStrategyViews(database, registry)).find((s) => s.name === name)!;
}

function pick(s: StrategyView) {
  return { priority: s.priority, ttlSeconds: s.ttlSeconds, enabled: s.enabled, rewarmOnChange: s.rewarmOnChange, options: s.options };
}

