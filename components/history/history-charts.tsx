'use client';

import Link from 'next/link';
import type { StrategyView } from '@/lib/api/strategies';
import { useStatsQuery } from '../api/stats';
import { Panel } from '../ui/panel';
import { EmptyState, QueryState } from '../ui/state-panel';
import { DurationChart } from './duration-chart';
import { KeysChart } from './keys-chart';
import { SuccessRateChart } from './success-rate-chart';
import type { HistoryFilters } from './use-history-filters';

const BUCKET_LABELS: Record<string, string> = { '5m': '5 minutes', '15m': '15 minutes', '1h': 'hour', '6h': '6 hours', '1d': 'day' };

/** The four charts over the chosen range, one series per strategy in priority order. */
export function HistoryCharts({ filters, strategies, threshold }: { filters: HistoryFilters; strategies: StrategyView[]; threshold: number }) {
  const stats = useStatsQuery({ from: filters.from, to: filters.to, strategy: filters.strategy, trigger: filters.trigger });
  const order = strategies.map((s) => s.name);
  const colorIndex = (name: string) => Math.max(0, order.indexOf(name));
  return (
    <QueryState
      query={stats}
      what="the statistics"
      loadingRows={6}
      isEmpty={(data) => data.buckets.length === 0}
      empty={
        <Panel className="mb-4">
          <EmptyState action={<Link href="/" className="text-xs text-accent hover:underline">Overview</Link>}>
            No finished run in this range{filters.strategy || filters.trigger ? ' with these filters' : ''}: choose a wider range, or warm the cache from the Overview.
          </EmptyState>
        </Panel>
      }
    >
      {(data) => {
        // The strategies that ran in the range, in priority order (a removed one still shows, last).
        const present = [...new Set(data.buckets.map((b) => b.strategy))].sort((a, b) => (order.indexOf(a) + 1 || 999) - (order.indexOf(b) + 1 || 999));
        const props = { stats: data, strategies: present, colorIndex, bucketLabel: BUCKET_LABELS[data.bucket] ?? data.bucket };
        return (
          <div className="mb-4 grid grid-cols-1 gap-4 lg:grid-cols-2" aria-busy={stats.isFetching} data-testid="history-charts">
            <SuccessRateChart {...props} threshold={threshold} />
            <DurationChart {...props} />
            <KeysChart {...props} outcome="warmed" />
            <KeysChart {...props} outcome="failed" />
          </div>
        );
      }}
    </QueryState>
  );
}
