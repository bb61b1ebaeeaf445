'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { EffectOverview, KeyspaceHistory, RunDiff, RunEffect } from '@/lib/api/used';
import { apiFetch } from './api-fetch';

/** GET /api/effect/used: per strategy, the newest used/unread/gone check. */
export function useEffectOverviewQuery(options: { refetchInterval?: number | false } = {}) {
  return useQuery({ queryKey: ['effect-used'], queryFn: () => apiFetch<EffectOverview>('/api/effect/used'), refetchInterval: options.refetchInterval });
}

/** GET /api/runs/{id}/effect: the run's checks per strategy and checkpoint. */
export function useRunEffectQuery(id: string, options: { enabled?: boolean } = {}) {
  return useQuery({ queryKey: ['effect-used', 'run', id], queryFn: () => apiFetch<RunEffect>(`/api/runs/${encodeURIComponent(id)}/effect`), enabled: options.enabled });
}

/** GET /api/runs/{id}/diff: what changed against the previous run of each strategy. */
export function useRunDiffQuery(id: string, options: { enabled?: boolean } = {}) {
  return useQuery({ queryKey: ['run-diff', id], queryFn: () => apiFetch<RunDiff>(`/api/runs/${encodeURIComponent(id)}/diff`), enabled: options.enabled });
}

/** GET /api/effect/keyspace: Redis's keyspace hit ratio per sample interval, with the runs. */
export function useKeyspaceQuery(filter: { from: string; to: string }, options: { refetchInterval?: number | false } = {}) {
  return useQuery({
    queryKey: ['keyspace', filter],
    queryFn: () => apiFetch<KeyspaceHistory>('/api/effect/keyspace', { query: filter }),
    placeholderData: keepPreviousData,
    refetchInterval: options.refetchInterval,
  });
}
