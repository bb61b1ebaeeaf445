import { sql } from 'drizzle-orm';
import pino from 'pino';
import { onTestFinished } from 'vitest';
import type { Database } from '@/server/db/client';
import type { ScheduleWriteContext } from '@/server/scheduling/create-schedule';
import type { ScheduleClock } from '@/server/scheduling/schedule-clock';
import { type ScheduleRunnerOptions, ScheduleRunner } from '@/server/scheduling/schedule-runner';
import type { Warmer } from '@/server/warmup/warmer';
import { shopRegistry } from './shop-strategies';

export const silentLogger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export function writeContext(database: Database, defaultTimezone = 'UTC'): ScheduleWriteContext {
  return { database, registry: shopRegistry(), defaultTimezone };
}

/** A fingerprint of every column of every schedule, to show a refused change left the table alone. */
export async function schedulesDigest(database: Database): Promise<string> {
  const [row] = await database.rows<{ digest: string }>(sql`
    select count(*)::text || ':' || coalesce(md5(string_agg(s::text, '|' order by s.id)), '-') as digest from schedules s`);
  return row!.digest;
}

export type FireRow = { schedule_id: number; slot_at: string; outcome: string; reason: string | null; run_id: string | null; claimed_by: string; trigger: string | null };

/** Every recorded fire with its run's trigger, oldest slot first. */
export async function fireRows(database: Database, scheduleId?: number): Promise<FireRow[]> {
  return database.rows<FireRow>(sql`
    select f.schedule_id, to_char(f.slot_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as slot_at, f.outcome, f.reason,
           f.run_id::text as run_id, f.claimed_by, r.trigger
    from schedule_fires f left join runs r on r.id = f.run_id
    where ${scheduleId ?? null}::int is null or f.schedule_id = ${scheduleId ?? null}::int
    order by f.slot_at, f.schedule_id`);
}

/** A runner in this test's process, stopped when the test ends. */
export function testRunner(database: Database, warmer: Warmer, clock: ScheduleClock, options: ScheduleRunnerOptions = {}): ScheduleRunner {
  const runner = new ScheduleRunner({ database, warmer, logger: silentLogger, clock }, options);
  onTestFinished(() => runner.stop());
  return runner;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
