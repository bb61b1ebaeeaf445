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

/** `2026-11-22T04:20` (what <input type="datetime-local"> holds, in the browser's zone) to ISO UTC. */
export function localInputToIso(value: string): string | null {
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?$/.test(value)) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** The reverse: an ISO instant as the browser-zone value of a datetime-local input. */
export function isoToLocalInput(iso: string): string {
  const date = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
