'use client';

import { formatLocalTime, formatRelative, formatUtc } from '@/lib/ui/format';

/** An instant in the browser's time zone; hovering shows the exact UTC instant. */
export function LocalTime({ iso, relative = false, className }: { iso: string | null | undefined; relative?: boolean; className?: string }) {
  if (!iso) return <span className={className}>–</span>;
  return (
    <time dateTime={iso} title={formatUtc(iso)} className={`tabular-nums ${className ?? ''}`}>
      {relative ? formatRelative(iso) : formatLocalTime(iso)}
    </time>
  );
}
