import 'server-only';
import type { GovernorProfile } from '@/lib/api/governor';
import type { Schedule } from '../db/schema';
import { wallClock } from './time-zone';

/** Shop hours, in the schedule's zone: a slot from 07:00 to before 22:00 runs `gentle` unless the schedule says otherwise. */
export const SHOP_HOURS = { from: 7, to: 22 } as const;

/**
 * The governor profile of a schedule's run for a slot: the schedule's own, or by the hour of the
 * slot in its zone: `gentle` during shop hours (the shop needs its database), `fixed` at night.
 */
export function profileForSlot(schedule: Pick<Schedule, 'governorProfile' | 'timezone'>, slotAt: Date): GovernorProfile {
  if (schedule.governorProfile) return schedule.governorProfile;
  const { hour } = wallClock(slotAt.getTime(), schedule.timezone);
  return hour >= SHOP_HOURS.from && hour < SHOP_HOURS.to ? 'gentle' : 'fixed';
}
