import { CronExpressionParser } from 'cron-parser';
import { describe, expect, it } from 'vitest';
import { parseCron } from '@/server/scheduling/cron-expression';
import { isSlot, nextSlots, slotsAfter, slotsBetween } from '@/server/scheduling/cron-slots';

const EXPRESSIONS = ['30 2 * * *', '0 2 * * *', '0 * * * *', '*/30 * * * *', '*/15 2 * * *', '0 1-3 * * *', '*/7 * * * *', '59 1 * * *', '45 2,3 * * *', '0 */2 * * *', '15 2 * * 0'];
const CHANGES: [string, string][] = [
  ['Europe/Berlin', '2026-03-28T22:00:00Z'],
  ['Europe/Berlin', '2026-10-24T21:00:00Z'],
  ['America/New_York', '2026-03-08T03:00:00Z'],
  ['America/New_York', '2026-11-01T02:00:00Z'],
];
const HOURS = 3_600_000;

function series(cron: string, timezone: string, from: string, hours: number): number[] {
  const end = Date.parse(from) + hours * HOURS;
  const out: number[] = [];
  for (const slot of slotsAfter(parseCron(cron), timezone, new Date(from))) {
    if (slot.at.getTime() > end) break;
    out.push(slot.at.getTime());
  }
  return out;
}

describe('the slots of a schedule', () => {
  it.each(CHANGES)('around the change in %s after %s, match cron-parser walking through it', (timezone, from) => {
    for (const cron of EXPRESSIONS) {
      const walk = CronExpressionParser.parse(cron, { tz: timezone, currentDate: new Date(from) });
      const expected: number[] = [];
      for (let at = walk.next().toDate().getTime(); at <= Date.parse(from) + 8 * HOURS; at = walk.next().toDate().getTime()) expected.push(at);
      expect({ cron, slots: series(cron, timezone, from, 8) }).toEqual({ cron, slots: expected });
    }
  });

  it.each(CHANGES)('around the change in %s after %s, do not depend on where the computation starts', (timezone, from) => {
    for (const cron of EXPRESSIONS) {
      const all = series(cron, timezone, from, 9 * 24); // a weekly one's next slot too
      const spec = parseCron(cron);
      for (let t = Date.parse(from); t < Date.parse(from) + 7 * HOURS; t += 5 * 60_000) {
        const [next] = nextSlots(spec, timezone, new Date(t), 1);
        expect({ cron, from: new Date(t).toISOString(), next: next!.at.getTime() }).toEqual({ cron, from: new Date(t).toISOString(), next: all.find((s) => s > t) });
      }
    }
  });

  it('are whole minutes, each one a slot and the minutes between them not', () => {
    const spec = parseCron('*/20 1-3 * * *');
    const slots = slotsBetween(spec, 'Europe/Berlin', new Date('2026-03-28T23:00:00Z'), new Date('2026-03-29T03:00:00Z'));
    expect(slots.map((s) => s.toISOString())).toEqual([
      '2026-03-29T00:00:00.000Z', // 01:00 CET
      '2026-03-29T00:20:00.000Z',
      '2026-03-29T00:40:00.000Z',
      '2026-03-29T01:00:00.000Z', // 02:00 does not exist: shifted to 03:00 CEST, which is also a slot: once
      '2026-03-29T01:20:00.000Z',
      '2026-03-29T01:40:00.000Z',
    ]);
    expect(slots.every((s) => isSlot(spec, 'Europe/Berlin', s))).toBe(true);
    expect(isSlot(spec, 'Europe/Berlin', new Date('2026-03-29T00:10:00Z'))).toBe(false);
    expect(isSlot(spec, 'Europe/Berlin', new Date('2026-03-29T00:20:01Z'))).toBe(false);
  });

  it('fire on a day-of-month or a day-of-week when both are given (standard cron)', () => {
    const slots = nextSlots(parseCron('0 12 1 * 1'), 'UTC', new Date('2026-06-01T13:00:00Z'), 4).map((s) => s.at.toISOString().slice(0, 10));
    expect(slots).toEqual(['2026-06-08', '2026-06-15', '2026-06-22', '2026-06-29']);
    expect(nextSlots(parseCron('0 12 1 * 1'), 'UTC', new Date('2026-06-29T13:00:00Z'), 1)[0]!.at.toISOString().slice(0, 10)).toBe('2026-07-01');
  });

  it('find 29 February years ahead', () => {
    expect(nextSlots(parseCron('0 0 29 2 *'), 'UTC', new Date('2026-01-01T00:00:00Z'), 2).map((s) => s.at.toISOString())).toEqual([
      '2028-02-29T00:00:00.000Z',
      '2032-02-29T00:00:00.000Z',
    ]);
  });
});
