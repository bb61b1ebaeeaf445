'use client';

import { useEffect, useState } from 'react';
import { RUN_TRIGGERS } from '@/lib/api/runs';
import type { StrategyView } from '@/lib/api/strategies';
import { humanize, zoneLabel } from '@/lib/ui/format';
import { RANGE_PRESETS, type RangeKey, isoToLocalInput, localInputToIso } from '@/lib/ui/time-range';
import { FieldError } from '../ui/field';
import { useDebounced } from '../ui/use-debounced';
import type { HistoryFilters } from './use-history-filters';

const SELECT = 'h-8 rounded-md border border-border bg-panel px-2 text-sm';
const LABELS: Record<RangeKey, string> = { '24h': '24 h', '7d': '7 days', '30d': '30 days', custom: 'Custom' };

/** Range (24 h, 7 d, 30 d, custom), strategy and trigger: they filter the charts and the runs alike. */
export function HistoryFilterBar({ filters, update, strategies }: { filters: HistoryFilters; update: (changes: Record<string, string | undefined>) => void; strategies: StrategyView[] }) {
  const [from, setFrom] = useState(() => isoToLocalInput(filters.from));
  const [to, setTo] = useState(() => isoToLocalInput(filters.to));
  const keys = [...(Object.keys(RANGE_PRESETS) as RangeKey[]), 'custom' as const];

  const [search, setSearch] = useState(filters.q ?? '');
  const searched = useDebounced(search.trim(), 300);
  useEffect(() => {
    if (searched !== (filters.q ?? '')) update({ q: searched || undefined });
    // Only a new search term writes the address (the other filters changing leave the box alone).
  }, [searched]);

  const applyCustom = (nextFrom: string, nextTo: string) => update({ range: 'custom', from: localInputToIso(nextFrom) ?? undefined, to: localInputToIso(nextTo) ?? undefined });

  return (
    <div className="mb-4 flex flex-wrap items-start gap-3">
      <div role="group" aria-label="Time range" className="inline-flex rounded-md border border-border bg-panel p-0.5">
        {keys.map((key) => (
          <button
            key={key}
            type="button"
            aria-pressed={filters.range === key}
            onClick={() => (key === 'custom' ? applyCustom(from, to) : update({ range: key, from: undefined, to: undefined }))}
            className={`h-7 rounded px-3 text-sm ${filters.range === key ? 'bg-accent font-medium text-accent-fg' : 'text-muted hover:text-text'}`}
          >
            {LABELS[key]}
          </button>
        ))}
      </div>
      {filters.range === 'custom' ? (
        <div className="flex flex-wrap items-start gap-2 text-sm">
          {/* Typed as 24-hour YYYY-MM-DD HH:MM: datetime-local follows the browser's locale (12-hour in en-US). */}
          <label className="flex items-center gap-1.5">
            <span className="text-xs text-muted">From</span>
            <input type="text" inputMode="numeric" placeholder="2026-11-22 08:00" title="24-hour: YYYY-MM-DD HH:MM" className={`${SELECT} w-36`} value={from} onChange={(e) => (setFrom(e.target.value), applyCustom(e.target.value, to))} aria-invalid={filters.rangeError ? true : undefined} />
          </label>
          <label className="flex items-center gap-1.5">
            <span className="text-xs text-muted">to</span>
            <input type="text" inputMode="numeric" placeholder="2026-11-22 20:00" title="24-hour: YYYY-MM-DD HH:MM" className={`${SELECT} w-36`} value={to} onChange={(e) => (setTo(e.target.value), applyCustom(from, e.target.value))} aria-invalid={filters.rangeError ? true : undefined} />
          </label>
          <span className="self-center text-xs text-muted">24-hour, {zoneLabel(new Date().toISOString())}</span>
          <FieldError>{filters.rangeError}</FieldError>
        </div>
      ) : null}
      <div className="flex flex-wrap items-center gap-2 sm:ml-auto">
        <input
          type="search"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          placeholder="Run id or text"
          aria-label="Search runs"
          title="A run id (its first characters will do), or text in who started it, its schedule, strategies or error"
          className={`${SELECT} w-44`}
        />
        <select aria-label="Strategy" className={SELECT} value={filters.strategy ?? ''} onChange={(e) => update({ strategy: e.target.value || undefined })}>
          <option value="">All strategies</option>
          {strategies.map((s) => (
            <option key={s.name} value={s.name}>
              {humanize(s.name)}
            </option>
          ))}
        </select>
        <select aria-label="Trigger" className={SELECT} value={filters.trigger ?? ''} onChange={(e) => update({ trigger: e.target.value || undefined })}>
          <option value="">All triggers</option>
          {RUN_TRIGGERS.map((t) => (
            <option key={t} value={t}>
              {humanize(t)}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}
