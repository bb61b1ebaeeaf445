import 'server-only';
import { count, eq, sql } from 'drizzle-orm';
import { auditLog, schedules } from '../db/schema';
import type { ScheduleWriteContext } from './create-schedule';
import { type ScheduleInput, validateScheduleInput } from './validate-schedule';

/** The schedules of DESIGN.md, in the process's default time zone (KILN_TIMEZONE). */
export const DEFAULT_SCHEDULES: Omit<ScheduleInput, 'timezone'>[] = [
  { name: 'Nightly full warmup', cron: '0 2 * * *', scope: { all: true }, concurrency: 50 },
  { name: 'Pre-peak warmup', cron: '30 8 * * *', scope: { strategies: ['hot_products', 'recommendations'] } },
  { name: 'Incremental hot data', cron: '*/30 * * * *', scope: { strategies: ['hot_products'] }, concurrency: 10, onlyMissing: true },
  { name: 'Category refresh', cron: '0 */6 * * *', scope: { strategies: ['categories'] } },
  { name: 'Weekend promotion warmup', cron: '0 1 * * 6', scope: { all: true }, concurrency: 100 },
];

/** The audit entry that records, for good, that the defaults were handled in this database. */
export const DEFAULTS_MARKER = 'schedules.defaults_created';
/** Serializes processes starting at once (any constant other advisory locks of Kiln do not use). */
const DEFAULTS_LOCK_ID = 7_305_114_201;

/**
 * Creates the default schedules on the first start of a database whose schedules table is empty,
 * and never again: the decision is recorded in the audit log, so an operator who edits or deletes
 * them does not see them come back after a restart or a deploy. A database that already has
 * schedules on its first start gets the marker and no defaults. Processes starting at once take
 * an advisory lock for the transaction, so exactly one of them decides.
 *
 * The defaults are validated like an operator's schedules, against the registry: a default naming
 * a strategy that is not registered throws (and nothing is written).
 */
export async function ensureDefaultSchedules(context: ScheduleWriteContext, actor = 'system'): Promise<{ created: string[] }> {
  return context.database.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${DEFAULTS_LOCK_ID}::bigint)`);
    const [marker] = await tx.select({ id: auditLog.id }).from(auditLog).where(eq(auditLog.action, DEFAULTS_MARKER)).limit(1);
    if (marker) return { created: [] };
    const [existing] = await tx.select({ n: count() }).from(schedules);
    const values = existing!.n === 0 ? DEFAULT_SCHEDULES.map((d) => validateScheduleInput(d, context)) : [];
    if (values.length) await tx.insert(schedules).values(values.map((v) => ({ ...v, createdBy: actor, updatedBy: actor })));
    const created = values.map((v) => v.name);
    await tx.insert(auditLog).values({
      actor,
      action: DEFAULTS_MARKER,
      target: 'schedules',
      after: values.length ? { created } : { created, reason: `the table already had ${existing!.n} schedule(s)` },
    });
    return { created };
  });
}
