import type { RunStatus, RunTrigger, Scope } from './runs';

/**
 * The schedules API as the dashboard reads it (GET/POST /api/schedules, GET/PATCH/DELETE
 * /api/schedules/{id}, POST /api/schedules/{id}/run, POST /api/schedules/preview).
 */

export type MisfirePolicy = 'skip' | 'run_once';
export type FireOutcome = 'started' | 'skipped_overlap' | 'skipped_busy' | 'missed' | 'error';

export type ScheduleLastFire = {
  slotAt: string;
  outcome: FireOutcome;
  reason: string | null;
  claimedBy: string;
  runId: string | null;
  run: { status: RunStatus; trigger: RunTrigger; warmed: number; total: number; finishedAt: string | null } | null;
};

export type ScheduleView = {
  id: number;
  name: string;
  cron: string;
  timezone: string;
  scope: Scope;
  concurrency: number | null;
  onlyMissing: boolean;
  enabled: boolean;
  misfirePolicy: MisfirePolicy;
  misfireGraceSeconds: number;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
  description: string;
  /** Null while paused. */
  nextFireAt: string | null;
  /** The same instant as the schedule zone's wall time with its offset: `2026-03-29T03:30:00+02:00`. */
  nextFireLocal: string | null;
  lastFire: ScheduleLastFire | null;
  /** Slots no process fired (newest first, the last 7 days, at most 10). */
  recentMissed: { slotAt: string; reason: string | null }[];
};

export type ScheduleInput = {
  name: string;
  cron: string;
  timezone?: string;
  scope: Scope;
  concurrency?: number | null;
  onlyMissing?: boolean;
  enabled?: boolean;
  misfirePolicy?: MisfirePolicy;
  misfireGraceSeconds?: number;
};

export type FireTimePreview = { at: string; local: string; note?: string };
export type SchedulePreview = { cron: string; timezone: string; description: string; nextFireTimes: FireTimePreview[] };
