import { describe, expect, it } from 'vitest';
import { safeNextPath, signInPath } from '@/lib/ui/sign-in-path';
import { isoToLocalInput, localInputToIso, presetRange } from '@/lib/ui/time-range';
import { formatWallTime } from '@/lib/ui/wall-time';

describe('history ranges', () => {
  it('end a preset at the end of the bucket in progress, so ticks fall on round times', () => {
    const now = Date.parse('2026-11-22T04:20:31Z');
    expect(presetRange('24h', now)).toEqual({ from: '2026-11-21T05:00:00.000Z', to: '2026-11-22T05:00:00.000Z' });
    expect(presetRange('7d', now)).toEqual({ from: '2026-11-15T06:00:00.000Z', to: '2026-11-22T06:00:00.000Z' });
    expect(presetRange('30d', now)).toEqual({ from: '2026-10-24T00:00:00.000Z', to: '2026-11-23T00:00:00.000Z' });
  });

  it('read a custom range as 24-hour times in the browser’s zone, and refuse anything else', () => {
    const iso = localInputToIso('2026-11-22 16:20')!;
    expect(new Date(iso).getHours()).toBe(16);
    expect(isoToLocalInput(iso)).toBe('2026-11-22 16:20');
    expect(localInputToIso('2026-11-22T16:20')).toBe(iso);
    expect(localInputToIso('2026-02-31 10:00')).toBeNull();
    expect(localInputToIso('2026-11-22 24:10')).toBeNull();
    expect(localInputToIso('11/22/2026 4:20 PM')).toBeNull();
    expect(localInputToIso('yesterday')).toBeNull();
    expect(localInputToIso('')).toBeNull();
  });
});

describe('the way back after signing in', () => {
  it('returns to a path of this site, never to another one', () => {
    expect(safeNextPath('/history?range=7d')).toBe('/history?range=7d');
    expect(safeNextPath('//evil.example/x')).toBe('/');
    expect(safeNextPath('/\\evil.example')).toBe('/');
    expect(safeNextPath('https://evil.example')).toBe('/');
    expect(safeNextPath('/login?next=/x')).toBe('/');
    expect(safeNextPath(null)).toBe('/');
    expect(signInPath('/runs/abc')).toBe('/login?next=%2Fruns%2Fabc');
    expect(signInPath('/')).toBe('/login');
  });
});

describe('a schedule zone’s wall time', () => {
  it('is written from its own text, weekday included, whatever the browser’s zone', () => {
    expect(formatWallTime('2026-03-29T03:30:00+02:00')).toBe('Sun Mar 29, 03:30 (UTC+02:00)');
    expect(formatWallTime('2026-11-22T06:00:00+00:00')).toBe('Sun Nov 22, 06:00 (UTC)');
    expect(formatWallTime('not a time')).toBe('not a time');
  });
});
