/**
 * How the dashboard writes numbers, durations, rates, sizes and times. One place, so every page
 * reads the same: thousands separators, human durations, local times with the UTC instant on hover.
 */

import { strategyLabel } from './labels';

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** 1234567 -> "1,234,567". */
export function formatCount(value: number): string {
  return integer.format(value);
}

/**
 * A success rate (0-1) as a percentage with one decimal. Never rounds up to 100.0% a rate that
 * is below 1: an operator reading "100.0%" must be able to trust that nothing failed.
 */
export function formatRate(rate: number | null): string {
  if (rate === null) return '—'; // nothing to warm: no rate (lib/success-rate.ts)
  if (!Number.isFinite(rate)) return '–';
  const percent = rate * 100;
  if (rate < 1 && percent > 99.9) return '99.9%';
  if (rate > 0 && percent < 0.1) return '<0.1%';
  return `${oneDecimal.format(percent)}%`;
}

/** 35 -> "35 ms", 2340 -> "2.34 s", 95000 -> "1 min 35 s", 7_380_000 -> "2 h 3 min". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  // Trailing zeros say nothing: 5000 ms is "5 s", 2340 ms "2.34 s".
  if (ms < 10_000) return `${Number((ms / 1000).toFixed(2))} s`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(1))} s`;
  const totalSeconds = Math.round(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours >= 24) return `${Math.floor(hours / 24)} d ${hours % 24} h`;
  if (hours > 0) return `${hours} h ${minutes} min`;
  return seconds ? `${minutes} min ${seconds} s` : `${minutes} min`;
}

/** A TTL or other span given in seconds: 7200 -> "2 h", 900 -> "15 min", 86400 -> "1 d". */
export function formatSeconds(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400} d`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  if (seconds < 60) return `${seconds} s`;
  return formatDuration(seconds * 1000);
}

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** 1832880 -> "1.7 MB" (binary multiples, as Redis reports them). */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${BYTE_UNITS[unit]}`;
}

/**
 * One Intl.DateTimeFormat per shape, made on first use (in the browser: its zone) and kept: making
 * one costs far more than formatting with it, and a chart formats its axis ticks many times a render
 * (`toLocaleString` with options makes a new one on every call: 190 ms of a history page's render).
 */
function cachedFormat(options: Intl.DateTimeFormatOptions): () => Intl.DateTimeFormat {
  let format: Intl.DateTimeFormat | undefined;
  return () => (format ??= new Intl.DateTimeFormat('en-US', options));
}

const SECOND = { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' } as const;
const secondFormat = cachedFormat(SECOND);
const secondWithYearFormat = cachedFormat({ year: 'numeric', ...SECOND });
const zoneFormat = cachedFormat({ timeZoneName: 'short' });
const minuteFormat = cachedFormat({ month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const clockFormat = cachedFormat({ hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const dayFormat = cachedFormat({ month: 'short', day: 'numeric' });
const clockSecondsFormat = cachedFormat({ hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });

/** "14:05:09": a time of day with seconds in the browser's zone (axes of charts that span minutes). */
export function formatClockSeconds(ms: number): string {
  return clockSecondsFormat().format(new Date(ms));
}

/** "Nov 22, 04:20:00" in the browser's zone (the year only when it is not this year). */
export function formatLocalTime(iso: string, now: Date = new Date()): string {
  const date = new Date(iso);
  const sameYear = date.getFullYear() === now.getFullYear();
  return (sameYear ? secondFormat() : secondWithYearFormat()).format(date);
}

/** "UTC", "GMT+1", "PST": the browser's zone at that instant, as a short label next to a time. */
export function zoneLabel(iso: string): string {
  return zoneFormat().formatToParts(new Date(iso)).find((part) => part.type === 'timeZoneName')?.value ?? '';
}

/** "Nov 23, 01:30": a minute in the browser's zone, for lists of times where seconds say nothing. */
export function formatLocalMinute(iso: string): string {
  return minuteFormat().format(new Date(iso));
}

/** "2026-11-22 04:20:00.098 UTC": the exact instant, for the hover title. */
export function formatUtc(iso: string): string {
  return `${new Date(iso).toISOString().replace('T', ' ').replace('Z', '')} UTC`;
}

/** "3 min ago", "in 2 h", "just now": how far an instant is from now, coarsely. */
export function formatRelative(iso: string, now: Date = new Date()): string {
  const diff = new Date(iso).getTime() - now.getTime();
  const abs = Math.abs(diff);
  if (abs < 45_000) return diff < 0 ? 'just now' : 'in under a minute';
  const units: [number, string][] = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'min'],
  ];
  // From 45 s up to a minute, "1 min" (the smallest unit shown).
  const [size, name] = units.find(([size]) => abs >= size) ?? units.at(-1)!;
  const amount = Math.max(1, Math.round(abs / size));
  return diff < 0 ? `${amount} ${name} ago` : `in ${amount} ${name}`;
}

/** A date for an axis tick: "04:00" within a day's range, "Nov 22" beyond. */
export function formatAxisTime(iso: string, rangeMs: number): string {
  const date = new Date(iso);
  return (rangeMs <= 2 * 86_400_000 ? clockFormat() : dayFormat()).format(date);
}

/** A strategy's or trigger's name as an operator reads it: "hot_products" -> "Hot products" (lib/ui/labels.ts). */
export function humanize(name: string): string {
  return strategyLabel(name);
}
