'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { SettingsView, StrategyView, UpdateSettingsRequest, UpdateStrategyRequest } from '@/lib/api/strategies';
import { apiFetch } from './api-fetch';

/** GET /api/strategies: every strategy by priority, with its last run and recent success rates. */
export function useStrategiesQuery(options: { refetchInterval?: number | false } = {}) {
  return useQuery({
    queryKey: ['strategies'],
    queryFn: () => apiFetch<{ strategies: StrategyView[] }>('/api/strategies').then((r) => r.strategies),
    refetchInterval: options.refetchInterval,
  });
}

/**
 * PATCH /api/strategies/{name}: priority, TTL, enabled, the strategy's own options. With `version`
 * (the strategy as shown), one changed since is refused with 412 (isStaleEdit) and the list refreshed.
 */
export function useUpdateStrategyMutation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ name, patch, version }: { name: string; patch: UpdateStrategyRequest; version?: number }) =>
      apiFetch<{ strategy: StrategyView }>(`/api/strategies/${encodeURIComponent(name)}`, { method: 'PATCH', body: patch, ifMatch: version }).then((r) => r.strategy),
    onSuccess: (strategy) => {
      client.setQueryData<StrategyView[]>(['strategies'], (list) => list?.map((s) => (s.name === strategy.name ? strategy : s)));
      return client.invalidateQueries({ queryKey: ['strategies'] });
    },
    onError: () => client.invalidateQueries({ queryKey: ['strategies'] }),
  });
}

/** GET /api/settings. */
export function useSettingsQuery() {
  return useQuery({
    queryKey: ['settings'],
    queryFn: () => apiFetch<{ settings: SettingsView }>('/api/settings').then((r) => r.settings),
  });
}

/**
 * PATCH /api/settings: a maxConcurrency change also retunes the runs going now (`retunedRuns`).
 * With `version` (the settings as shown), settings changed since are refused with 412 (isStaleEdit).
 */
export function useUpdateSettingsMutation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (patch: UpdateSettingsRequest & { version?: number }) => {
      const { version, ...fields } = patch;
      return apiFetch<{ settings: SettingsView; retunedRuns: number }>('/api/settings', { method: 'PATCH', body: fields, ifMatch: version });
    },
    onSuccess: ({ settings }) => {
      client.setQueryData(['settings'], settings);
      return client.invalidateQueries({ queryKey: ['runs'] });
    },
    onError: () => client.invalidateQueries({ queryKey: ['settings'] }),
  });
}
