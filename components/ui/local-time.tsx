'use client';

import { formatLocalTime, formatRelative, formatUtc, zoneLabel } from '@/lib/ui/format';

/**
 * An instant in the browser's time zone; hovering shows the exact UTC instant. `zone` adds the
 * zone's label ("Nov 22, 04:20:00 GMT+1") where times are compared with logs or other people's.
 */
export function LocalTime({ iso, relative = false, zone = false, className }: { iso: string | null | undefined; relative?: boolean; zone?: boolean; className?: string }) {
  if (!iso) return <span className={className}>–</span>;
  return (
    <time dateTime={iso} title={formatUtc(iso)} className={`tabular-nums ${className ?? ''}`}>
      {relative ? formatRelative(iso) : zone ? `${formatLocalTime(iso)} ${zoneLabel(iso)}` : formatLocalTime(iso)}
    </time>
  );
}
