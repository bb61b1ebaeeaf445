'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useState } from 'react';
import { RUN_STATUSES, RUN_TRIGGERS, type RunStatus, type RunTrigger } from '@/lib/api/runs';
import { type RangeKey, isRangeKey, presetRange } from '@/lib/ui/time-range';

export type HistoryFilters = {
  range: RangeKey;
  from: string;
  to: string;
  strategy?: string;
  trigger?: RunTrigger;
  status?: RunStatus;
  /** Search of the runs list: a run id's start, or text. */
  q?: string;
  /** Set when a custom range is not usable; the last good range stays in force meanwhile. */
  rangeError?: string;
};

const pick = <T extends string>(value: string | null, allowed: readonly T[]): T | undefined => (value && (allowed as readonly string[]).includes(value) ? (value as T) : undefined);

/**
 * The history page's filters live in its address (?range=7d&strategy=…&trigger=…&status=…&q=…, or
 * range=custom&from=…&to=…), so a view can be bookmarked, shared and reached with Back.
 * A preset range ends now and moves forward every minute.
 */
export function useHistoryFilters() {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const now = useMinute();

  const range: RangeKey = isRangeKey(params.get('range')) ? (params.get('range') as RangeKey) : '24h';
  let span = presetRange(range === 'custom' ? '24h' : range, now);
  let rangeError: string | undefined;
  if (range === 'custom') {
    const from = params.get('from');
    const to = params.get('to');
    if (!from || !to || Number.isNaN(Date.parse(from)) || Number.isNaN(Date.parse(to))) rangeError = 'Choose both a start and an end';
    else if (Date.parse(from) >= Date.parse(to)) rangeError = 'The start must be before the end';
    else span = { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
  }

  const filters: HistoryFilters = {
    range,
    ...span,
    strategy: params.get('strategy') || undefined,
    trigger: pick(params.get('trigger'), RUN_TRIGGERS),
    status: pick(params.get('status'), RUN_STATUSES),
    q: params.get('q')?.trim() || undefined,
    rangeError,
  };

  const update = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params.toString());
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    router.replace(`${pathname}?${next.toString()}`, { scroll: false });
  };
  return { filters, update };
}

function useMinute(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}
