import { describe, expect, it } from 'vitest';
import { profileForSlot } from '@/server/scheduling/schedule-profile';

describe('the governor profile of a schedule slot', () => {
  const berlin = { governorProfile: null, timezone: 'Europe/Berlin' };

  it('is gentle from 07:00 to before 22:00 in the schedule\'s zone, fixed at night', () => {
    expect(profileForSlot(berlin, new Date('2026-12-02T06:00:00Z'))).toBe('gentle'); // 07:00 in Berlin
    expect(profileForSlot(berlin, new Date('2026-12-02T05:59:00Z'))).toBe('fixed'); // 06:59
    expect(profileForSlot(berlin, new Date('2026-12-02T20:59:00Z'))).toBe('gentle'); // 21:59
    expect(profileForSlot(berlin, new Date('2026-12-02T21:00:00Z'))).toBe('fixed'); // 22:00
    expect(profileForSlot({ governorProfile: null, timezone: 'UTC' }, new Date('2026-12-02T06:30:00Z'))).toBe('fixed');
  });

  it('is the schedule\'s own profile when it has one', () => {
    expect(profileForSlot({ governorProfile: 'max', timezone: 'Europe/Berlin' }, new Date('2026-12-02T12:00:00Z'))).toBe('max');
    expect(profileForSlot({ governorProfile: 'fixed', timezone: 'Europe/Berlin' }, new Date('2026-12-02T12:00:00Z'))).toBe('fixed');
  });
});
