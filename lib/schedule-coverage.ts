/**
 * Whether a strategy's schedules keep its keys in the cache: a run at time t leaves the keys
 * cached until t + TTL, so over a window the strategy is covered where some run's [t, t + TTL)
 * reaches, and has a gap everywhere else. Pure (no I/O): the server gives the fire times.
 */

export type Gap = { fromMs: number; toMs: number };

export type CoverageGaps = {
  /** Share of the window covered, 0..1. */
  coveredFraction: number;
  /** The uncovered stretches, oldest first. */
  gaps: Gap[];
  /** The longest of them (0 when none). */
  longestGapMs: number;
  /** Their sum. */
  uncoveredMs: number;
};

/**
 * The gaps in (fromMs, toMs) that runs fired at `fires` leave for keys living `ttlSeconds`.
 * Fires before the window count for what reaches into it (pass the last one before `fromMs`).
 */
export function coverageGaps(fires: readonly number[], ttlSeconds: number, fromMs: number, toMs: number): CoverageGaps {
  const ttlMs = ttlSeconds * 1000;
  const sorted = [...fires].sort((a, b) => a - b);
  const gaps: Gap[] = [];
  let coveredUntil = fromMs;
  for (const at of sorted) {
    if (at + ttlMs <= coveredUntil) continue;
    if (at >= toMs) break;
    if (at > coveredUntil) gaps.push({ fromMs: coveredUntil, toMs: at });
    coveredUntil = Math.max(coveredUntil, at + ttlMs);
  }
  if (coveredUntil < toMs) gaps.push({ fromMs: coveredUntil, toMs });
  const uncoveredMs = gaps.reduce((n, g) => n + (g.toMs - g.fromMs), 0);
  const span = Math.max(1, toMs - fromMs);
  return { coveredFraction: 1 - uncoveredMs / span, gaps, longestGapMs: gaps.reduce((m, g) => Math.max(m, g.toMs - g.fromMs), 0), uncoveredMs };
}

/** Periods a cron expression can repeat on evenly within an hour or a day, in minutes. */
const PERIODS = [5, 10, 15, 20, 30, 60, 120, 180, 240, 360, 480, 720, 1440];

export type ScheduleSuggestion = { cron: string; everyMinutes: number; description: string };

/**
 * A schedule that closes every gap: the longest even period that still starts the next run while
 * the last one's keys live, leaving a tenth of the TTL (at least a minute) for the run itself.
 * Null for a TTL too short for any (under about six minutes).
 */
export function suggestSchedule(ttlSeconds: number): ScheduleSuggestion | null {
  const budgetMinutes = (ttlSeconds - Math.max(60, ttlSeconds / 10)) / 60;
  const every = [...PERIODS].reverse().find((p) => p <= budgetMinutes);
  if (every === undefined) return null;
  if (every < 60) return { cron: `*/${every} * * * *`, everyMinutes: every, description: `every ${every} minutes` };
  if (every === 60) return { cron: '0 * * * *', everyMinutes: every, description: 'every hour' };
  if (every === 1440) return { cron: '0 0 * * *', everyMinutes: every, description: 'every day at midnight' };
  return { cron: `0 */${every / 60} * * *`, everyMinutes: every, description: `every ${every / 60} hours` };
}
