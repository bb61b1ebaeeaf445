'use client';

import { type UseQueryOptions, keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { CoverageOverview, CoverageSample, EstimateRunRequest, HitRate, RunCoverage, RunEstimate } from '@/lib/api/effect';
import { apiFetch } from './api-fetch';

export type HitRateFilter = { from: string; to: string; bucket: HitRate['bucket'] };

/** GET /api/effect/hit-rate: shop reads per key family and bucket, with the runs of the range. */
export function useHitRateQuery(filter: HitRateFilter, options: { refetchInterval?: number | false } = {}) {
  return useQuery({
    queryKey: ['hit-rate', filter],
    queryFn: () => apiFetch<HitRate>('/api/effect/hit-rate', { query: filter }),
    placeholderData: keepPreviousData,
    refetchInterval: options.refetchInterval,
  });
}

/** GET /api/effect/coverage: each strategy's newest coverage sample. */
export function useCoverageQuery(options: { refetchInterval?: number | false } = {}) {
  return useQuery({
    queryKey: ['coverage'],
    queryFn: () => apiFetch<CoverageOverview>('/api/effect/coverage'),
    refetchInterval: options.refetchInterval,
  });
}

/** GET /api/runs/{id}/coverage: the samples taken right after the run ended (under ['coverage'], so a new sample refreshes it). */
export function useRunCoverageQuery(id: string, options: { enabled?: boolean; refetchInterval?: UseQueryOptions<RunCoverage>['refetchInterval'] } = {}) {
  return useQuery({
    queryKey: ['coverage', 'run', id],
    queryFn: () => apiFetch<RunCoverage>(`/api/runs/${encodeURIComponent(id)}/coverage`),
    enabled: options.enabled,
    refetchInterval: options.refetchInterval,
  });
}

/** POST /api/effect/coverage/sample (operators): samples now, instead of waiting for the next periodic sample. */
export function useSampleCoverageMutation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (strategies?: string[]) =>
      apiFetch<{ samples: CoverageSample[] }>('/api/effect/coverage/sample', { method: 'POST', body: strategies ? { strategies } : {} }).then((r) => r.samples),
    onSuccess: () => client.invalidateQueries({ queryKey: ['coverage'] }),
  });
}

/**
 * POST /api/runs/estimate: what POST /api/runs with the same body would do. A read, so a query;
 * never kept once the dialog that asked is gone (the cache and the history move on).
 */
export function useRunEstimateQuery(request: EstimateRunRequest, enabled: boolean) {
  return useQuery({
    queryKey: ['run-estimate', request],
    queryFn: () => apiFetch<RunEstimate>('/api/runs/estimate', { method: 'POST', body: request }),
    enabled,
    staleTime: 0,
    gcTime: 0,
    retry: false,
  });
}
