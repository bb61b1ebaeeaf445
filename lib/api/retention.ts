import { z } from 'zod';

/** One retention policy as GET /api/settings/retention shows it. */
export type RetentionPolicyView = {
  policy: string;
  label: string;
  description: string;
  days: number;
  defaultDays: number;
  minDays: number;
  maxDays: number;
  /** Set when an operator changed it. */
  updatedAt: string | null;
  updatedBy: string | null;
  /** Where the policy applies: 'prune' (Kiln deletes in batches) or 'job-engine' (pg-boss's own retention, applied when a process starts). */
  appliedBy: 'prune' | 'job-engine';
  tables: RetentionTableView[];
};

export type RetentionTableView = {
  table: string;
  /** Exact for small tables, Postgres's estimate (pg_class) for big ones. */
  rows: number | null;
  rowsEstimated: boolean;
  bytes: number | null;
  /** The oldest row kept (by the column the policy ages rows with); null for an empty or missing table. */
  oldestAt: string | null;
};

export type RetentionView = {
  policies: RetentionPolicyView[];
  lastPrune: {
    startedAt: string | null;
    finishedAt: string | null;
    durationMs: number | null;
    removed: Record<string, number>;
    rolledUpDays: number;
    error: string | null;
    by: string | null;
  };
  /** Run statistics before this instant come from the daily rollups (their raw rows may be gone). */
  rawRunsFrom: string | null;
  intervalMinutes: number;
  timezone: string;
};

/** PATCH /api/settings/retention: `{ policies: { runs: 400, audit_log: 365 } }`; only the policies sent change. */
export const updateRetentionSchema = z.strictObject({
  policies: z.record(z.string(), z.unknown()),
});
export type UpdateRetentionRequest = { policies: Record<string, number> };
