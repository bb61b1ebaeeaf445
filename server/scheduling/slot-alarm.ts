import 'server-only';
import type { Logger } from '../logger';
import type { CronSpec } from './cron-expression';
import { nextSlots } from './cron-slots';
import { type Wake, startOneShot } from './cron-tasks';
import type { ScheduleClock } from './schedule-clock';

/**
 * Wakes the runner for one schedule: a node-cron task with the schedule's expression in its time
 * zone, plus, where node-cron would wake later than Kiln's next slot, a one-off node-cron task at
 * that slot. node-cron differs from Kiln's slot rule (cron-slots.ts) in three places: it skips a
 * wall time that does not exist (Kiln shifts it), fires a repeated wall time in its second pass
 * (Kiln: the first), and requires day-of-month AND day-of-week (cron: either).
 */
export class SlotAlarm {
  readonly #spec: CronSpec;
  readonly #timezone: string;
  readonly #clock: ScheduleClock;
  readonly #onWake: () => void;
  readonly #logger: Logger;
  readonly #name: string;
  readonly #task: Wake;
  #once?: Wake;

  constructor(spec: CronSpec, timezone: string, clock: ScheduleClock, onWake: () => void, logger: Logger, name: string) {
    this.#spec = spec;
    this.#timezone = timezone;
    this.#clock = clock;
    this.#onWake = onWake;
    this.#logger = logger;
    this.#name = name;
    this.#task = clock.wakeUps(spec, timezone, onWake, logger, name);
  }

  /** After the slots up to `handled` were dealt with: makes sure a wake comes at the next slot. */
  plan(handled: Date): void {
    this.#once?.stop();
    this.#once = undefined;
    const [next] = nextSlots(this.#spec, this.#timezone, handled, 1);
    const planned = this.#task.nextWake();
    if (!next || (planned && planned.getTime() <= next.at.getTime())) return;
    this.#logger.debug({ task: this.#name, slot: next.at.toISOString(), nodeCron: planned?.toISOString() ?? null }, 'Waking once for a slot node-cron would not fire at');
    this.#once = startOneShot(this.#clock.toReal(next.at), this.#onWake, this.#logger, `${this.#name}-once`);
  }

  stop(): void {
    this.#task.stop();
    this.#once?.stop();
  }
}
