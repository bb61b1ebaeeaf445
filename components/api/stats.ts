'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { RunTrigger, Stats } from '@/lib/api/runs';
import type { SystemStatus } from '@/lib/status';
import { apiFetch } from './api-fetch';

export type StatsFilter = { from: string; to: string; strategy?: string; trigger?: RunTrigger };

/** GET /api/stats: per strategy and time bucket (the server picks the bucket for the range). */
export function useStatsQuery(filter: StatsFilter) {
  return useQuery({
    queryKey: ['stats', filter],
    queryFn: () => apiFetch<Stats>('/api/stats', { query: { ...filter, bucket: 'auto' } }),
    placeholderData: keepPreviousData,
  });
}

/** GET /api/status: the shop's size and the health of the database and the cache, measured now. */
export function useStatusQuery(options: { refetchInterval?: number | false } = {}) {
  return useQuery({
    queryKey: ['status'],
    queryFn: () => apiFetch<SystemStatus>('/api/status'),
    refetchInterval: options.refetchInterval,
  });
}
