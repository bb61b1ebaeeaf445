import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseCron } from '@/server/scheduling/cron-expression';
import { slotsBetween } from '@/server/scheduling/cron-slots';
import { realClock } from '@/server/scheduling/schedule-clock';
import { SlotAlarm } from '@/server/scheduling/slot-alarm';

const HOUR = 3_600_000;
const logger = pino({ level: 'silent' });

/** Drives the production alarm (node-cron with the schedule's expression) on fake timers; returns when it woke. */
async function wakesBetween(cron: string, timezone: string, from: string, hours: number): Promise<string[]> {
  vi.useFakeTimers({ now: new Date(from) });
  const wakes: string[] = [];
  const alarm: SlotAlarm = new SlotAlarm(parseCron(cron), timezone, realClock, () => {
    wakes.push(new Date().toISOString());
    alarm.plan(new Date());
  }, logger, 'test');
  alarm.plan(new Date());
  await vi.advanceTimersByTimeAsync(hours * HOUR);
  alarm.stop();
  return wakes;
}

const slots = (cron: string, timezone: string, from: string, hours: number) =>
  slotsBetween(parseCron(cron), timezone, new Date(from), new Date(Date.parse(from) + hours * HOUR)).map((d) => d.toISOString());

afterEach(() => {
  vi.useRealTimers();
});

describe('the alarm that wakes the runner for a schedule in production', () => {
  it('wakes at 03:30 on the night 02:30 does not exist in Berlin, which node-cron alone skips', async () => {
    const from = '2026-03-28T12:00:00Z';
    const wakes = await wakesBetween('30 2 * * *', 'Europe/Berlin', from, 40);
    expect(slots('30 2 * * *', 'Europe/Berlin', from, 40)).toEqual(['2026-03-29T01:30:00.000Z', '2026-03-30T00:30:00.000Z']);
    expect(wakes).toEqual(['2026-03-29T01:30:00.000Z', '2026-03-30T00:30:00.000Z']);
  });

  it('wakes at the first 02:30 of the night it happens twice (node-cron picks the second; that wake finds nothing due)', async () => {
    const from = '2026-10-24T12:00:00Z';
    const wakes = await wakesBetween('30 2 * * *', 'Europe/Berlin', from, 40);
    expect(slots('30 2 * * *', 'Europe/Berlin', from, 40)).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
    expect(wakes).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-25T01:30:00.000Z', '2026-10-26T01:30:00.000Z']);
  });

  it('wakes at every slot of an hourly schedule through the repeated hour', async () => {
    const from = '2026-10-24T22:30:00Z';
    const wakes = await wakesBetween('0 * * * *', 'Europe/Berlin', from, 5);
    expect(wakes).toEqual(slots('0 * * * *', 'Europe/Berlin', from, 5));
    expect(wakes).toContain('2026-10-25T00:00:00.000Z'); // 02:00 CEST, which node-cron alone does not fire
  });

  it('wakes on a day-of-month or a day-of-week (node-cron, which needs both, is asked to wake daily at those times)', async () => {
    const from = '2026-05-31T00:00:00Z';
    const due = slots('0 12 1 * 1', 'UTC', from, 24 * 9);
    expect(due).toEqual(['2026-06-01T12:00:00.000Z', '2026-06-08T12:00:00.000Z']);
    const wakes = await wakesBetween('0 12 1 * 1', 'UTC', from, 24 * 9);
    expect(due.every((slot) => wakes.includes(slot))).toBe(true);
  });
});
