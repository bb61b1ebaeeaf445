import type { BlackoutWindow } from '../blackout';
import { z } from 'zod';
import type { GovernorProfile } from './governor';
import type { RunStatus, RunTrigger, Scope } from './runs';

/** Shapes of the schedules API, shared by the route handlers and the browser. */

export const FIRE_OUTCOMES = ['started', 'skipped_overlap', 'skipped_busy', 'missed', 'error', 'skipped_blackout'] as const;
export type FireOutcome = (typeof FIRE_OUTCOMES)[number];

export type LastFire = {
  slotAt: string;
  outcome: FireOutcome;
  reason: string | null;
  claimedBy: string;
  runId: string | null;
  run: { status: RunStatus; trigger: RunTrigger; warmed: number; total: number; finishedAt: string | null } | null;
};

export type MisfirePolicy = 'skip' | 'run_once';

/** The body of POST /api/schedules (and, partly, of PATCH /api/schedules/{id}). */
export type ScheduleInput = {
  name: string;
  cron: string;
  /** IANA zone; the server's KILN_TIMEZONE when absent. */
  timezone?: string;
  scope: Scope;
  /** Loads in flight for its runs; null or absent: the global setting. */
  concurrency?: number | null;
  onlyMissing?: boolean;
  enabled?: boolean;
  misfirePolicy?: MisfirePolicy;
  misfireGraceSeconds?: number;
  /** The governor profile of its runs; null or absent: `gentle` for slots from 07:00 to 22:00 in its zone, else `fixed`. */
  governorProfile?: GovernorProfile | null;
  /** When it must not fire, in its zone (lib/blackout.ts); absent: none. */
  blackoutWindows?: BlackoutWindow[];
};

/** A schedule as the API shows it: its definition, when it fires next, and how its slots went. */
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
  governorProfile: GovernorProfile | null;
  blackoutWindows: BlackoutWindow[];
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
  /** Bumped by every change; send it back as If-Match to edit this view of the schedule. */
  version: number;
  description: string;
  /** Null while paused. */
  nextFireAt: string | null;
  nextFireLocal: string | null;
  lastFire: LastFire | null;
  /** Slots no process fired (newest first, the last 7 days, at most 10). */
  recentMissed: { slotAt: string; reason: string | null }[];
};

export type FireTimePreview = {
  /** The instant, ISO in UTC. */
  at: string;
  /** The same instant as the zone's wall time with its offset: `2026-03-29T03:30:00+02:00`. */
  local: string;
  /** Set when a daylight-saving change moves or repeats the slot. */
  note?: string;
};

export type SchedulePreview = {
  cron: string;
  timezone: string;
  description: string;
  nextFireTimes: FireTimePreview[];
};

/**
 * The body of a create or an edit: an object. Its fields are checked by the server's one schedule
 * validation (server/scheduling/validate-schedule.ts), which names the field at fault.
 */
export const scheduleBodySchema = z.record(z.string(), z.unknown(), { error: 'expected a JSON object of schedule fields' });

/** The optional body of POST /api/schedules/{id}/run. */
export const runScheduleNowSchema = z.strictObject({ confirmBlackout: z.boolean({ error: 'expected true or false' }).optional() });

export const previewRequestSchema = z.strictObject({
  cron: z.string({ error: 'expected the cron expression as a string' }).max(10_000, { error: 'is too long' }),
  timezone: z.string({ error: 'expected an IANA time zone such as Europe/Berlin' }).max(100).optional(),
});

/** GET /api/schedules/coverage: what the enabled schedules leave uncovered over the coming week, per enabled strategy. */
export type StrategyCoverage = {
  strategy: string;
  ttlSeconds: number;
  /** The enabled schedules that warm it. */
  schedules: string[];
  from: string;
  to: string;
  /** Share of the week its keys are kept cached by scheduled runs, 0..1. */
  coveredFraction: number;
  uncoveredMs: number;
  longestGapMs: number;
  gapCount: number;
  /** The first gaps (at most five), ISO instants. */
  gaps: { from: string; to: string }[];
  /** A schedule that closes the gaps; null without gaps (or for a TTL too short for any). */
  suggestion: { cron: string; everyMinutes: number; description: string } | null;
};
