import { describe, expect, it } from 'vitest';
import { formatBytes, formatCount, formatDuration, formatRate, formatRelative, formatSeconds } from '@/lib/ui/format';

describe('dashboard formatting', () => {
  it('writes counts with thousands separators', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(0)).toBe('0');
  });

  it('never shows a rate below 1 as 100.0%, nor a rate above 0 as 0.0%', () => {
    expect(formatRate(1)).toBe('100.0%');
    expect(formatRate(0.9996)).toBe('99.9%');
    expect(formatRate(0.95)).toBe('95.0%');
    expect(formatRate(0.0004)).toBe('<0.1%');
    expect(formatRate(0)).toBe('0.0%');
    expect(formatRate(Number.NaN)).toBe('–');
  });

  it('writes durations for people: ms, seconds without trailing zeros, minutes, hours, days', () => {
    expect(formatDuration(35)).toBe('35 ms');
    expect(formatDuration(2340)).toBe('2.34 s');
    expect(formatDuration(5000)).toBe('5 s');
    expect(formatDuration(12_500)).toBe('12.5 s');
    expect(formatDuration(95_000)).toBe('1 min 35 s');
    expect(formatDuration(120_000)).toBe('2 min');
    expect(formatDuration(7_380_000)).toBe('2 h 3 min');
    expect(formatDuration(26 * 3_600_000)).toBe('1 d 2 h');
    expect(formatDuration(null)).toBe('–');
  });

  it('writes TTLs in their largest whole unit', () => {
    expect(formatSeconds(7200)).toBe('2 h');
    expect(formatSeconds(900)).toBe('15 min');
    expect(formatSeconds(86_400)).toBe('1 d');
    expect(formatSeconds(45)).toBe('45 s');
    expect(formatSeconds(90)).toBe('1 min 30 s');
  });

  it('says how far an instant is, including between 45 s and a minute (once a crash)', () => {
    const now = new Date('2026-11-22T12:00:00Z');
    const at = (ms: number) => new Date(now.getTime() + ms).toISOString();
    expect(formatRelative(at(-10_000), now)).toBe('just now');
    expect(formatRelative(at(-50_000), now)).toBe('1 min ago');
    expect(formatRelative(at(50_000), now)).toBe('in 1 min');
    expect(formatRelative(at(-3 * 60_000), now)).toBe('3 min ago');
    expect(formatRelative(at(2 * 3_600_000), now)).toBe('in 2 h');
    expect(formatRelative(at(-6 * 86_400_000), now)).toBe('6 d ago');
  });

  it('writes sizes in binary units as Redis counts them', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1_832_880)).toBe('1.7 MB');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.0 GB');
  });
});
