'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { FreshnessOverview } from '@/lib/api/freshness';
import { apiFetch } from './api-fetch';

export const FRESHNESS_RANGES = { '1h': { ms: 3_600_000, bucket: 'minute' }, '24h': { ms: 86_400_000, bucket: 'hour' } } as const;
export type FreshnessRange = keyof typeof FRESHNESS_RANGES;

/** GET /api/freshness over the last hour or day: the change stream's state, and what re-warming on change did. */
export function useFreshnessQuery(range: FreshnessRange, options: { refetchInterval?: number | false } = {}) {
  return useQuery({
    queryKey: ['freshness', range],
    queryFn: () => {
      const { ms, bucket } = FRESHNESS_RANGES[range];
      return apiFetch<FreshnessOverview>('/api/freshness', { query: { from: new Date(Date.now() - ms).toISOString(), bucket } });
    },
    placeholderData: keepPreviousData,
    refetchInterval: options.refetchInterval,
  });
}
