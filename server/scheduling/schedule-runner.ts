import 'server-only';
import type { Database } from '../db/client';
import type { Schedule } from '../db/schema';
import type { Logger } from '../logger';
import type { Warmer } from '../warmup/warmer';
import { type CronSpec, parseCron } from './cron-expression';
import { nextSlots, slotsBetween } from './cron-slots';
import { type FireDeps, type FireReport, fireSlot } from './fire-slot';
import { MISFIRE_LOOKBACK_SECONDS, applyMisfirePolicy, catchUpMissedSlots } from './handle-misfires';
import { type ScheduleClock, realClock } from './schedule-clock';
import { loadSchedules, schedulesVersion } from './schedule-store';
import { SlotAlarm } from './slot-alarm';
import { validateTimezone } from './time-zone';

export type ScheduleRunnerDeps = { database: Database; warmer: Warmer; logger: Logger; clock?: ScheduleClock };

export type ScheduleRunnerOptions = {
  /** How often to look for changes made through other processes. 5 s: a change reaches every process within 15 s. */
  pollIntervalMs?: number;
  /** A slot nobody fired for this long (schedule time) is a misfire; a younger one still fires normally. */
  lateFireSeconds?: number;
  lookbackSeconds?: number;
  /** Told about each reload and each slot this process tried (tests, metrics). */
  observer?: (event: RunnerEvent) => void;
};

export type ScheduledEntry = { id: number; name: string; cron: string; timezone: string; nextFireAt: string | null };
export type RunnerEvent = { type: 'loaded'; schedules: ScheduledEntry[] } | { type: 'fire'; report: FireReport };

type Entry = { schedule: Schedule; spec: CronSpec; alarm: SlotAlarm; lastHandled: number; queue: Promise<void> };

/**
 * Fires schedules in this process. Every process runs one and schedules every enabled schedule
 * with node-cron in the schedule's time zone; at a slot each of them tries it, and the slot's claim
 * in Postgres lets exactly one run it (fire-slot.ts). On start it handles the slots every process
 * missed while down (handle-misfires.ts); while running it polls a version of the schedules table
 * and reschedules what changed.
 *
 * node-cron only wakes the runner (slot-alarm.ts): which slots are due is decided by Kiln's slot
 * rule (cron-slots.ts, the same as the preview's), from the last moment this process handled.
 */
export class ScheduleRunner {
  readonly #deps: FireDeps;
  readonly #clock: ScheduleClock;
  readonly #logger: Logger;
  readonly #options: Required<Omit<ScheduleRunnerOptions, 'observer'>> & Pick<ScheduleRunnerOptions, 'observer'>;
  readonly #entries = new Map<number, Entry>();
  readonly #pending = new Set<Promise<unknown>>();
  #state: 'new' | 'running' | 'stopped' = 'new';
  #version?: string;
  #poll?: NodeJS.Timeout;
  #reloads: Promise<void> = Promise.resolve();
  #polling = false;
  #startedAt?: Date;

  constructor(deps: ScheduleRunnerDeps, options: ScheduleRunnerOptions = {}) {
    this.#deps = { database: deps.database, warmer: deps.warmer, logger: deps.logger };
    this.#clock = deps.clock ?? realClock;
    this.#logger = deps.logger;
    this.#options = { pollIntervalMs: 5000, lateFireSeconds: 60, lookbackSeconds: MISFIRE_LOOKBACK_SECONDS, ...options };
  }

  /** Loads the schedules, handles the slots missed while every process was down, and starts firing. A failed start leaves it stopped. */
  async start(): Promise<void> {
    if (this.#state !== 'new') throw new Error(`The schedule runner cannot start: it is ${this.#state}`);
    this.#state = 'running';
    const now = this.#clock.now();
    this.#startedAt = now;
    let rows: Schedule[];
    try {
      this.#version = await schedulesVersion(this.#deps.database);
      rows = await loadSchedules(this.#deps.database);
    } catch (error) {
      this.#state = 'stopped';
      throw error;
    }
    if (this.#state !== 'running') return; // stopped while loading
    for (const row of rows) {
      const entry = row.enabled ? this.#schedule(row, now) : undefined;
      if (!entry) continue;
      const window = { now, until: new Date(entry.lastHandled), fromReal: this.#clock.fromReal, lookbackSeconds: this.#options.lookbackSeconds };
      this.#enqueue(entry, async () => this.#report(await catchUpMissedSlots(this.#deps, row, entry.spec, window)));
      this.#wake(entry);
    }
    this.#loaded();
    this.#poll = setInterval(() => this.#pollOnce(), this.#options.pollIntervalMs);
    this.#poll.unref();
  }

  /** Reloads the schedules now (after a change made through this process); others see it on their next poll. */
  refresh(): Promise<void> {
    this.#reloads = this.#reloads.catch(() => {}).then(() => this.#reload());
    return this.#reloads;
  }

  /** Stops firing (idempotent) and waits for the slots being handled; runs already started go on. */
  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopped';
    clearInterval(this.#poll);
    for (const entry of [...this.#entries.values()]) this.#unschedule(entry);
    await this.#reloads.catch(() => {});
    await Promise.allSettled([...this.#pending]);
  }

  /** Schedule time at start: older slots were the misfire catch-up's, younger ones fire normally. */
  get startedAt(): Date | undefined {
    return this.#startedAt;
  }

  /** The schedules this process fires, with their next slot. */
  scheduled(): ScheduledEntry[] {
    return [...this.#entries.values()].map((e) => ({
      id: e.schedule.id,
      name: e.schedule.name,
      cron: e.schedule.cron,
      timezone: e.schedule.timezone,
      nextFireAt: nextSlots(e.spec, e.schedule.timezone, new Date(e.lastHandled), 1)[0]?.at.toISOString() ?? null,
    }));
  }

  #pollOnce(): void {
    if (this.#polling) return; // a slow database: skip a beat rather than pile reloads up
    this.#polling = true;
    this.refresh()
      .catch((error: unknown) => this.#logger.warn({ err: error }, 'Reloading schedules failed; keeping the ones loaded'))
      .finally(() => (this.#polling = false));
  }

  async #reload(): Promise<void> {
    if (this.#state !== 'running') return;
    const version = await schedulesVersion(this.#deps.database);
    if (version === this.#version) return;
    const rows = await loadSchedules(this.#deps.database);
    if (this.#state !== 'running') return;
    this.#version = version;
    const now = this.#clock.now();
    const enabled = new Set<number>();
    for (const row of rows) {
      if (!row.enabled) continue;
      enabled.add(row.id);
      const entry = this.#entries.get(row.id);
      if (entry && entry.schedule.cron === row.cron && entry.schedule.timezone === row.timezone) {
        entry.schedule = row; // name, scope, concurrency...: read again at each fire anyway
        continue;
      }
      if (entry) this.#unschedule(entry);
      const created = this.#schedule(row, now);
      if (created) this.#wake(created);
    }
    for (const entry of [...this.#entries.values()]) if (!enabled.has(entry.schedule.id)) this.#unschedule(entry);
    this.#loaded();
  }

  /** Starts waking for a schedule; slots from the later of its last change and the late window on are its to fire. */
  #schedule(row: Schedule, now: Date): Entry | undefined {
    let spec: CronSpec;
    try {
      spec = parseCron(row.cron);
      validateTimezone(row.timezone);
    } catch (error) {
      this.#logger.error({ scheduleId: row.id, cron: row.cron, timezone: row.timezone }, `Schedule "${row.name}" is not scheduled: ${(error as Error).message}`);
      return undefined;
    }
    const lastHandled = Math.max(now.getTime() - this.#options.lateFireSeconds * 1000, this.#clock.fromReal(row.updatedAt).getTime());
    const entry = { schedule: row, spec, lastHandled, queue: Promise.resolve() } as Entry;
    entry.alarm = new SlotAlarm(spec, row.timezone, this.#clock, () => this.#wake(entry), this.#logger, `kiln-schedule-${row.id}`);
    entry.alarm.plan(new Date(lastHandled));
    this.#entries.set(row.id, entry);
    return entry;
  }

  #unschedule(entry: Entry): void {
    entry.alarm.stop();
    if (this.#entries.get(entry.schedule.id) === entry) this.#entries.delete(entry.schedule.id);
  }

  /** Handles the slots due since the last wake: young ones are fired, old ones go to the misfire policy. */
  #wake(entry: Entry): void {
    if (this.#state !== 'running' || this.#entries.get(entry.schedule.id) !== entry) return;
    const now = this.#clock.now();
    const from = Math.max(entry.lastHandled, now.getTime() - this.#options.lookbackSeconds * 1000);
    const due = slotsBetween(entry.spec, entry.schedule.timezone, new Date(from), now);
    entry.lastHandled = Math.max(entry.lastHandled, now.getTime());
    entry.alarm.plan(new Date(entry.lastHandled));
    if (due.length === 0) return;
    const lateBefore = now.getTime() - this.#options.lateFireSeconds * 1000;
    const late = due.filter((slot) => slot.getTime() <= lateBefore);
    const fresh = due.filter((slot) => slot.getTime() > lateBefore);
    const why = `No Kiln process fired it within ${this.#options.lateFireSeconds} s`;
    this.#enqueue(entry, async () => {
      if (late.length) this.#report(await applyMisfirePolicy(this.#deps, entry.schedule, late, now, why));
      for (const slot of fresh) this.#report(await this.#fire(entry, slot));
    });
  }

  /**
   * Fires a slot. A fire that fails (Postgres down at the slot's time) is tried again every 0.25 to
   * 2 s while the slot is younger than the late window; once older, it goes to the misfire policy
   * with the schedule's other slots late by then (`run_once` runs the latest of them as a catch-up
   * within the grace window, the others are recorded `missed`), tried until Postgres answers. (A
   * first attempt fires normally however late its turn comes, as before.) Every attempt is safe: a
   * slot's claim lets one fire win, and a slot fired or recorded meanwhile (by another process, or
   * as the latest of a catch-up here) is left as it is. Ends when the runner stops or the schedule
   * is rescheduled.
   */
  async #fire(entry: Entry, slot: Date): Promise<FireReport[]> {
    let lastError: unknown;
    for (let attempt = 0; ; attempt++) {
      const now = this.#clock.now();
      const lateBefore = new Date(now.getTime() - this.#options.lateFireSeconds * 1000);
      try {
        if (attempt === 0 || slot.getTime() > lateBefore.getTime()) return [await fireSlot(this.#deps, entry.schedule.id, slot, 'schedule')];
        const missed = [slot, ...slotsBetween(entry.spec, entry.schedule.timezone, slot, lateBefore)];
        const why = `Postgres could not be reached at the slot's time (${(lastError as Error).message})`;
        return await applyMisfirePolicy(this.#deps, entry.schedule, missed, now, why);
      } catch (error) {
        lastError = error;
        if (this.#state !== 'running' || this.#entries.get(entry.schedule.id) !== entry) throw error;
        if (attempt === 0 || attempt % 20 === 0) {
          this.#logger.warn(
            { err: error, scheduleId: entry.schedule.id, slot: slot.toISOString(), attempt },
            `Firing schedule "${entry.schedule.name}" for ${slot.toISOString()} failed: ${(error as Error).message}; trying again`,
          );
        }
        await this.#retryPause(Math.min(250 * 2 ** attempt, 2000));
      }
    }
  }

  /** Waits before a retry; cut short when the runner stops. */
  async #retryPause(ms: number): Promise<void> {
    for (const until = Date.now() + ms; Date.now() < until && this.#state === 'running'; ) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(200, until - Date.now())));
    }
  }

  /** Slots of one schedule are handled one after another, in order. */
  #enqueue(entry: Entry, job: () => Promise<void>): void {
    entry.queue = entry.queue.then(job).catch((error: unknown) => {
      this.#logger.error({ err: error, scheduleId: entry.schedule.id }, `Handling a slot of schedule "${entry.schedule.name}" failed`);
    });
    const tracked = entry.queue;
    this.#pending.add(tracked);
    void tracked.finally(() => this.#pending.delete(tracked));
  }

  #report(reports: FireReport[]): void {
    for (const report of reports) this.#emit({ type: 'fire', report });
  }

  #loaded(): void {
    this.#emit({ type: 'loaded', schedules: this.scheduled() });
  }

  #emit(event: RunnerEvent): void {
    try {
      this.#options.observer?.(event);
    } catch (error) {
      this.#logger.warn({ err: error }, 'A schedule runner observer threw');
    }
  }
}
