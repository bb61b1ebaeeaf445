'use client';

import { type UseQueryOptions, keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { RetryRunRequest, RunDetail, RunList, RunStatus, RunTrigger, StartRunRequest } from '@/lib/api/runs';
import type { RunGovernor } from '@/lib/api/governor';
import { apiFetch } from './api-fetch';

export type RunsFilter = {
  strategy?: string;
  trigger?: RunTrigger;
  status?: RunStatus;
  from?: string;
  to?: string;
  /** A run id's start, or text (lib/api/runs.ts listRunsQuerySchema). */
  q?: string;
  cursor?: string;
  limit?: number;
};

/** GET /api/runs: one page of runs, newest first. */
export function fetchRuns(filter: RunsFilter): Promise<RunList> {
  return apiFetch<RunList>('/api/runs', { query: filter });
}

export function useRunsQuery(filter: RunsFilter, options: { refetchInterval?: number | false; enabled?: boolean } = {}) {
  return useQuery({
    queryKey: ['runs', filter],
    queryFn: () => fetchRuns(filter),
    placeholderData: keepPreviousData,
    refetchInterval: options.refetchInterval,
    enabled: options.enabled,
  });
}

/** GET /api/runs/{id}: the run, its per-strategy results and failures (filtered by `search`). */
export function useRunQuery(id: string, options: { search?: string; refetchInterval?: UseQueryOptions<RunDetail>['refetchInterval']; enabled?: boolean } = {}) {
  const search = options.search?.trim() || undefined;
  return useQuery({
    enabled: options.enabled,
    queryKey: ['run', id, { search }],
    queryFn: () => apiFetch<{ run: RunDetail }>(`/api/runs/${encodeURIComponent(id)}`, { query: { search } }).then((r) => r.run),
    placeholderData: keepPreviousData,
    refetchInterval: options.refetchInterval,
  });
}

export type StartedRun = { runId: string; strategies: string[] };

/** POST /api/runs: 202 {runId, strategies}; 409 names the busy strategies. */
export function useStartRunMutation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (request: StartRunRequest) => apiFetch<StartedRun>('/api/runs', { method: 'POST', body: request }),
    onSettled: () => Promise.all([client.invalidateQueries({ queryKey: ['runs'] }), client.invalidateQueries({ queryKey: ['strategies'] })]),
  });
}

/** POST /api/runs/{id}/cancel: the run stops within about half a second. */
export function useCancelRunMutation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiFetch<unknown>(`/api/runs/${encodeURIComponent(id)}/cancel`, { method: 'POST' }),
    onSettled: (_data, _error, id) => Promise.all([client.invalidateQueries({ queryKey: ['run', id] }), client.invalidateQueries({ queryKey: ['runs'] })]),
  });
}

/** POST /api/runs/{id}/retry: a new run limited to the keys that failed in this one (optionally a dry run, only missing). */
export function useRetryRunMutation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...options }: { id: string } & RetryRunRequest) =>
      apiFetch<StartedRun & { keys: number }>(`/api/runs/${encodeURIComponent(id)}/retry`, { method: 'POST', body: options }),
    onSettled: () => client.invalidateQueries({ queryKey: ['runs'] }),
  });
}

/** GET /api/runs/{id}/governor: the run's governor profile and samples; polled while the run goes. */
export function useRunGovernorQuery(id: string, options: { running: boolean }) {
  return useQuery({
    queryKey: ['runs', id, 'governor'],
    queryFn: () => apiFetch<RunGovernor>(`/api/runs/${encodeURIComponent(id)}/governor`),
    refetchInterval: options.running ? 2000 : false,
  });
}
