/** The history page's time ranges: the last 24 hours, 7 or 30 days, or a custom from-to. */
export const RANGE_PRESETS = { '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 } as const;
export type RangeKey = keyof typeof RANGE_PRESETS | 'custom';

export function isRangeKey(value: string | null): value is RangeKey {
  return value === 'custom' || (value !== null && value in RANGE_PRESETS);
}

/** The bucket the server picks for each preset (its autoBucket): the preset's range aligns to it. */
const ALIGN_MS: Record<keyof typeof RANGE_PRESETS, number> = { '24h': 3_600_000, '7d': 6 * 3_600_000, '30d': 86_400_000 };

/**
 * The instants of a preset range ending at the end of the current bucket (the hour for 24 h, six
 * hours for 7 d, the UTC day for 30 d): buckets and axis ticks fall on round times, the newest
 * bucket is the one in progress, and the range (so the cached answer) only moves when a bucket ends.
 */
export function presetRange(key: keyof typeof RANGE_PRESETS, now: number): { from: string; to: string } {
  const align = ALIGN_MS[key];
  const to = Math.floor(now / align) * align + align;
  return { from: new Date(to - RANGE_PRESETS[key]).toISOString(), to: new Date(to).toISOString() };
}

/**
 * `2026-11-22 04:20` (24-hour, in the browser's zone; a `T` instead of the space is taken too) to
 * ISO UTC. A plain text field rather than datetime-local, whose picker follows the browser's locale
 * and shows 12-hour times in en-US.
 */
export function localInputToIso(value: string): string | null {
  const match = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d)(?::(\d\d))?$/.exec(value.trim());
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  const date = new Date(year, month - 1, day, hour, minute, second);
  // new Date(2026, 1, 31) is March 3: a day or hour that does not exist is refused, not moved.
  if (date.getFullYear() !== year || date.getMonth() !== month - 1 || date.getDate() !== day || date.getHours() !== hour || date.getMinutes() !== minute) return null;
  return date.toISOString();
}

/** The reverse: an ISO instant as `2026-11-22 04:20` in the browser's zone. */
export function isoToLocalInput(iso: string): string {
  const date = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
