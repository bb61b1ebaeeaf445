import 'server-only';
import { sql } from 'drizzle-orm';
import type { Actor } from '@/lib/api/auth';
import type { RetentionPolicyView, RetentionTableView, RetentionView } from '@/lib/api/retention';
import { actorName, recordAudit } from '../audit/record-audit';
import type { ClientInfo } from '../auth/client-info';
import type { Database } from '../db/client';
import { isoTimestamp } from '../db/sql-fragments';
import { AppError } from '../errors';
import { RETENTION_POLICIES, type RetentionPolicy, validatePolicyPatch } from './policies';
import { ident } from './prune';

/** Tables with more rows than this (by Postgres's estimate) show the estimate, not an exact count. */
const EXACT_COUNT_BELOW = 200_000;

/** Every policy with its days, its tables' rows, size and oldest row kept, and the last prune. */
export async function getRetentionView(database: Database, settings: { timezone: string; intervalMinutes: number }): Promise<RetentionView> {
  const overrides = await database.rows<{ policy: string; days: number; updated_at: string; updated_by: string }>(
    sql`select policy, days, ${isoTimestamp('updated_at')} as updated_at, updated_by from retention_policies`,
  );
  const byPolicy = new Map(overrides.map((o) => [o.policy, o]));
  const policies: RetentionPolicyView[] = [];
  for (const policy of RETENTION_POLICIES) {
    const override = byPolicy.get(policy.policy);
    const tables: RetentionTableView[] = [];
    for (const table of policy.tables) tables.push(await tableFigures(database, policy, table));
    policies.push({
      policy: policy.policy,
      label: policy.label,
      description: policy.description,
      days: override?.days ?? policy.defaultDays,
      defaultDays: policy.defaultDays,
      minDays: policy.minDays,
      maxDays: policy.maxDays,
      updatedAt: override?.updated_at ?? null,
      updatedBy: override?.updated_by ?? null,
      appliedBy: policy.kind === 'job-engine' ? 'job-engine' : 'prune',
      tables,
    });
  }
  const [state] = await database.rows<{
    raw_runs_from: string | null;
    last_started_at: string | null;
    last_finished_at: string | null;
    last_duration_ms: number | null;
    last_removed: Record<string, number>;
    last_rolled_up_days: number;
    last_error: string | null;
    last_by: string | null;
  }>(sql`
    select ${isoTimestamp('raw_runs_from')} as raw_runs_from, ${isoTimestamp('last_started_at')} as last_started_at,
           ${isoTimestamp('last_finished_at')} as last_finished_at, last_duration_ms, last_removed, last_rolled_up_days, last_error, last_by
    from retention_state where id = 1`);
  return {
    policies,
    lastPrune: {
      startedAt: state?.last_started_at ?? null,
      finishedAt: state?.last_finished_at ?? null,
      durationMs: state?.last_duration_ms ?? null,
      removed: state?.last_removed ?? {},
      rolledUpDays: state?.last_rolled_up_days ?? 0,
      error: state?.last_error ?? null,
      by: state?.last_by ?? null,
    },
    rawRunsFrom: state?.raw_runs_from ?? null,
    intervalMinutes: settings.intervalMinutes,
    timezone: settings.timezone,
  };
}

async function tableFigures(database: Database, policy: RetentionPolicy, table: { table: string; column: string }): Promise<RetentionTableView> {
  const [meta] = await database.rows<{ estimate: number | null; bytes: number | null }>(sql`
    select case when c.reltuples < 0 then null else c.reltuples::float8 end as estimate, pg_total_relation_size(c.oid)::float8 as bytes
    from pg_class c where c.oid = to_regclass(${table.table})`);
  if (!meta) return { table: table.table, rows: null, rowsEstimated: false, bytes: null, oldestAt: null };
  const t = ident(table.table);
  let rows = meta.estimate;
  let rowsEstimated = true;
  if (rows === null || rows < EXACT_COUNT_BELOW) {
    const [exact] = await database.rows<{ n: number }>(sql`select count(*)::float8 as n from ${t}`);
    rows = exact?.n ?? 0;
    rowsEstimated = false;
  }
  const column = ident(table.column);
  // Through an index: the age column's own, or the ordered key that grows with time.
  const oldestQuery =
    policy.kind === 'rows' && policy.oldestByKey && policy.orderBy && policy.table === table.table
      ? sql`select ${isoTimestamp(column)} as at from ${t} order by ${ident(policy.orderBy)} limit 1`
      : sql`select ${isoTimestamp(sql`min(${column})`)} as at from ${t}`;
  const [oldest] = await database.rows<{ at: string | null }>(oldestQuery);
  return { table: table.table, rows: Math.round(rows), rowsEstimated, bytes: meta.bytes, oldestAt: oldest?.at ?? null };
}

/**
 * Sets the days of the policies named in `patch` (the others keep theirs), with one audit entry,
 * in one transaction. A bad name or value is refused naming its field (`policies.<name>`); nothing
 * is saved then.
 */
export async function updateRetentionPolicies(
  database: Database,
  patch: Record<string, unknown>,
  actor: Actor,
  client: ClientInfo,
  settings: { timezone: string; intervalMinutes: number },
): Promise<RetentionView> {
  const checked = validatePolicyPatch(patch);
  if (!checked.ok) throw new AppError('invalid_request', checked.error.message, { field: checked.error.field });
  await database.db.transaction(async (tx) => {
    const names = Object.keys(checked.value);
    const current = (await tx.execute(sql`select policy, days from retention_policies where policy = any(${`{${names.join(',')}}`}::text[]) for update`)) as unknown;
    const currentRows = (Array.isArray(current) ? current : (current as { rows: { policy: string; days: number }[] }).rows) as { policy: string; days: number }[];
    const before: Record<string, number> = {};
    for (const name of names) before[name] = currentRows.find((r) => r.policy === name)?.days ?? RETENTION_POLICIES.find((p) => p.policy === name)!.defaultDays;
    for (const [name, days] of Object.entries(checked.value)) {
      await tx.execute(sql`
        insert into retention_policies (policy, days, updated_at, updated_by) values (${name}, ${days}, now(), ${actorName(actor)})
        on conflict (policy) do update set days = excluded.days, updated_at = excluded.updated_at, updated_by = excluded.updated_by`);
    }
    await recordAudit(tx, { actor, action: 'retention.update', target: 'retention', before, after: checked.value, ...client });
  });
  return getRetentionView(database, settings);
}
