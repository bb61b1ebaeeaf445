'use client';

import { useEffect, useState } from 'react';
import { EFFECT_RANGES, type EffectRangeKey, effectRange } from '@/lib/ui/hit-rate-series';
import { useHitRateQuery } from '../api/effect';
import { Panel } from '../ui/panel';
import { EmptyState, QueryState } from '../ui/state-panel';
import { HitRateChart, QueriesChart } from './hit-rate-charts';
import { HitRateTotals } from './hit-rate-totals';

const SHOP_ROUTES = ['/api/shop/products/{id}', '/api/shop/categories', '/api/shop/categories/{id}', '/api/shop/recommendations/{list}', '/api/shop/sessions/{userId}'];

/**
 * Does the warmup help? The shop's reads through the keys the strategies warm: hit rate per key
 * family over time with the runs marked, and the database queries the hits avoided beside the
 * ones the misses cost. Read counts reach the database every 5 s, so the view refreshes often.
 */
export function HitRatePanel() {
  const [range, setRange] = useState<EffectRangeKey>('1h');
  const now = useTick(EFFECT_RANGES[range].bucketMs);
  const filter = effectRange(range, now);
  const hitRate = useHitRateQuery(filter, { refetchInterval: range === '1h' ? 10_000 : 60_000 });
  const label = EFFECT_RANGES[range].label.toLowerCase();

  return (
    <Panel title="Does the warmup help?" id="effect" actions={<RangePicker value={range} onChange={setRange} />}>
      <QueryState
        query={hitRate}
        what="the shop’s reads"
        loadingRows={6}
        isEmpty={(data) => (data.totals.find((t) => t.family === 'all')?.reads ?? 0) === 0}
        empty={
          <div className="p-4 text-sm text-muted" data-testid="hit-rate-empty">
            <p>
              No shop reads in the {range === '1h' ? 'last hour' : `last ${label}`}{range === '7d' ? '' : ' (try a longer range)'}. Reads arrive when the shop reads its
              cache through Kiln’s read path, the public <code className="text-xs text-text">GET /api/shop/…</code> routes; each counts as a hit, or a miss with the database
              queries it cost:
            </p>
            <ul className="mt-2 flex flex-wrap gap-x-4 gap-y-1 font-mono text-xs text-text">
              {SHOP_ROUTES.map((route) => (
                <li key={route}>GET {route}</li>
              ))}
            </ul>
          </div>
        }
      >
        {(data) => (
          <div aria-busy={hitRate.isFetching}>
            <div className="grid grid-cols-1 divide-y divide-border border-b md:grid-cols-2 md:divide-x md:divide-y-0 border-border">
              <HitRateChart data={data} bucketLabel={EFFECT_RANGES[range].bucketLabel} tickMs={EFFECT_RANGES[range].tickMs} />
              <QueriesChart data={data} bucketLabel={EFFECT_RANGES[range].bucketLabel} tickMs={EFFECT_RANGES[range].tickMs} />
            </div>
            <HitRateTotals data={data} />
          </div>
        )}
      </QueryState>
    </Panel>
  );
}

function RangePicker({ value, onChange }: { value: EffectRangeKey; onChange: (key: EffectRangeKey) => void }) {
  return (
    <div role="group" aria-label="Time range of the shop’s reads" className="inline-flex rounded-md border border-border bg-panel p-0.5">
      {(Object.keys(EFFECT_RANGES) as EffectRangeKey[]).map((key) => (
        <button
          key={key}
          type="button"
          aria-pressed={value === key}
          onClick={() => onChange(key)}
          className={`h-6 rounded px-2.5 text-xs ${value === key ? 'bg-accent font-medium text-accent-fg' : 'text-muted hover:text-text'}`}
        >
          {EFFECT_RANGES[key].label}
        </button>
      ))}
    </div>
  );
}

/** Now, moved forward once per `ms` (a range ending at the bucket in progress moves with it). */
function useTick(ms: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), Math.min(ms, 60_000));
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}
