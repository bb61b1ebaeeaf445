// The retention policies: ONE declarative list. A table that keeps history gets an entry here
// (its age column, and the ordered key to delete it in batches by); nothing else needs to change.
// No 'server-only' import: unit tests and the bench read it.

export type RetentionPolicy = {
  /** The policy's name in the API and in retention_policies (the table's name for single-table policies). */
  policy: string;
  label: string;
  description: string;
  defaultDays: number;
  minDays: number;
  maxDays: number;
  /**
   * How rows go:
   * - `rows`: `delete from table where column < now() - days` in batches (of `orderBy`, an indexed
   *   key that grows with time, else ctid picked through an index on `column`), `where` added.
   * - `runs`: runs with run_strategies, run_shards and their failures; never a running run; the
   *   days they cover are rolled up first (server/retention/rollups.ts).
   * - `job-engine`: pg-boss's own retention (its archive's deleteAfterDays), read when a process starts.
   */
  kind: 'rows' | 'runs' | 'job-engine';
  /** The tables it covers, for the Settings page: name and the column that ages a row (oldest kept). */
  tables: { table: string; column: string }[];
  /** `rows` only: the table whose rows are pruned, the age column, the batching key, and an extra condition. */
  table?: string;
  column?: string;
  orderBy?: string;
  where?: string;
  /** The oldest row is found by `orderBy` (the age column has no index of its own; the key grows with time). */
  oldestByKey?: boolean;
};

const DAY_LIMITS = { minDays: 1, maxDays: 3650 };

const rows = (
  policy: string,
  label: string,
  description: string,
  defaultDays: number,
  table: string,
  column: string,
  extra: { orderBy?: string; where?: string; minDays?: number; oldestByKey?: boolean } = {},
): RetentionPolicy => ({
  policy,
  label,
  description,
  defaultDays,
  ...DAY_LIMITS,
  minDays: extra.minDays ?? DAY_LIMITS.minDays,
  kind: 'rows',
  tables: [{ table, column }],
  table,
  column,
  orderBy: extra.orderBy,
  where: extra.where,
  oldestByKey: extra.oldestByKey,
});

export const RETENTION_POLICIES: readonly RetentionPolicy[] = [
  {
    policy: 'runs',
    label: 'Runs',
    description: 'Runs with their strategies and shards. Each day is rolled up per strategy before its runs go; a running run is never removed.',
    defaultDays: 400,
    minDays: 7,
    maxDays: 3650,
    kind: 'runs',
    tables: [
      { table: 'runs', column: 'created_at' },
      { table: 'run_strategies', column: 'finished_at' },
      { table: 'run_shards', column: 'queued_at' },
    ],
  },
  rows('run_failures', 'Failed keys', 'Every failed key of a run (what “retry failed” retries).', 30, 'run_failures', 'at', { orderBy: 'id', oldestByKey: true }),
  rows('schedule_fires', 'Schedule fires', 'One row per schedule slot: fired, skipped or missed.', 30, 'schedule_fires', 'created_at'),
  rows('audit_log', 'Audit log', 'Who changed what, sign-ins and refusals.', 400, 'audit_log', 'at', { orderBy: 'id', minDays: 30 }),
  rows('cache_reads', 'Shop read counts', 'Hits and misses per key family and minute.', 90, 'cache_reads', 'bucket_start'),
  rows('coverage_samples', 'Coverage samples', 'How much of each warm set was still cached.', 90, 'coverage_samples', 'sampled_at', { orderBy: 'id', oldestByKey: true }),
  rows('keyspace_samples', 'Keyspace samples', "Redis's hit, miss, expiry and eviction counters, one row a minute.", 90, 'keyspace_samples', 'sampled_at'),
  rows('effect_samples', 'Used-share checks', 'Which share of a run’s warm set the shop read (used, unread, gone).', 90, 'effect_samples', 'sampled_at', { orderBy: 'id', oldestByKey: true }),
  rows('freshness_stats', 'Re-warm statistics', 'What re-warming on change did, per strategy and minute.', 90, 'freshness_stats', 'bucket_start'),
  rows('change_log', 'Unconsumed changes', 'Change rows (trigger mode) no consumer took: after this long a full warmup is the cure, not a replay.', 14, 'change_log', 'committed_at', { orderBy: 'id', oldestByKey: true }),
  rows('alert_incidents', 'Alert incidents', 'Closed incidents with their messages and delivery attempts (open ones are kept).', 400, 'alert_incidents', 'opened_at', { where: 'closed_at is not null' }),
  rows('alert_deliveries', 'Alert delivery log', 'Each attempt to deliver an alert: status, latency, error.', 30, 'alert_deliveries', 'at', { orderBy: 'id', oldestByKey: true }),
  rows('alert_silences', 'Ended silences', 'Silences this long after they ended.', 30, 'alert_silences', 'until'),
  rows('operator_sessions', 'Expired sessions', 'Sign-in sessions, this long after they expired.', 1, 'operator_sessions', 'expires_at'),
  rows('rate_limits', 'Rate-limit windows', 'Counters of ended windows (also swept every minute).', 1, 'rate_limits', 'expires_at'),
  {
    policy: 'job_archive',
    label: 'Job archive',
    description: 'Finished pg-boss jobs (shards) in its archive. pg-boss deletes them itself; a change applies when a process starts.',
    defaultDays: 7,
    minDays: 1,
    maxDays: 365,
    kind: 'job-engine',
    tables: [
      { table: 'pgboss.archive', column: 'archived_on' },
      { table: 'pgboss.job', column: 'created_on' },
    ],
  },
];

export function findPolicy(name: string): RetentionPolicy | undefined {
  return RETENTION_POLICIES.find((p) => p.policy === name);
}

export type PolicyDays = Record<string, number>;

/** Every policy's days: the operator's where set, else the default. */
export function effectiveDays(overrides: Record<string, number>): PolicyDays {
  return Object.fromEntries(RETENTION_POLICIES.map((p) => [p.policy, overrides[p.policy] ?? p.defaultDays]));
}

export type PolicyPatchError = { field: string; message: string };

/**
 * Checks a patch `{ policy: days }`: every name a known policy, every value a whole number of days
 * in the policy's range. Returns the clean patch, or the first error naming its field
 * (`policies.<name>`).
 */
export function validatePolicyPatch(patch: Record<string, unknown>): { ok: true; value: Record<string, number> } | { ok: false; error: PolicyPatchError } {
  const entries = Object.entries(patch);
  if (entries.length === 0) return { ok: false, error: { field: 'policies', message: 'policies: name at least one policy to change' } };
  const value: Record<string, number> = {};
  for (const [name, days] of entries) {
    const field = `policies.${name}`;
    const policy = findPolicy(name);
    if (!policy) return { ok: false, error: { field, message: `${field}: no such retention policy (known: ${RETENTION_POLICIES.map((p) => p.policy).join(', ')})` } };
    if (typeof days !== 'number' || !Number.isInteger(days)) return { ok: false, error: { field, message: `${field}: expected a whole number of days` } };
    if (days < policy.minDays || days > policy.maxDays) {
      return { ok: false, error: { field, message: `${field}: expected between ${policy.minDays} and ${policy.maxDays} days` } };
    }
    value[name] = days;
  }
  return { ok: true, value };
}
