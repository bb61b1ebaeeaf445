const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * A zone's wall time as the schedules API gives it (`2026-03-29T03:30:00+02:00`) in words:
 * "Sun Mar 29, 03:30 (UTC+02:00)". Read from the text, not through Date: the browser's own zone
 * must not shift a time that belongs to the schedule's zone.
 */
export function formatWallTime(local: string): string {
  const match = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::\d\d(?:\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.exec(local);
  if (!match) return local;
  const [, y, mo, d, h, mi, offset] = match;
  const weekday = WEEKDAYS[new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d))).getUTCDay()];
  const zone = offset === 'Z' || offset === '+00:00' ? 'UTC' : `UTC${offset}`;
  return `${weekday} ${MONTHS[Number(mo) - 1]} ${Number(d)}, ${h}:${mi} (${zone})`;
}

/** The browser's IANA zone, e.g. "Europe/Berlin" ("UTC" where the browser does not say). */
export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** Every IANA zone the browser knows, for picking one (UTC first). */
export function timeZones(): string[] {
  try {
    const zones = (Intl as unknown as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf?.('timeZone') ?? [];
    return ['UTC', ...zones.filter((z) => z !== 'UTC')];
  } catch {
    return ['UTC'];
  }
}
