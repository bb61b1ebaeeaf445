'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { RetentionView, UpdateRetentionRequest } from '@/lib/api/retention';
import { apiFetch } from './api-fetch';

/** GET /api/settings/retention (admins): policies, their tables' rows, size and oldest row, the last prune. */
export function useRetentionQuery(options: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: ['retention'],
    queryFn: () => apiFetch<RetentionView>('/api/settings/retention'),
    enabled: options.enabled,
    refetchInterval: 60_000,
  });
}

/** PATCH /api/settings/retention: only the policies sent change. */
export function useUpdateRetentionMutation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (patch: UpdateRetentionRequest) => apiFetch<RetentionView>('/api/settings/retention', { method: 'PATCH', body: patch }),
    onSuccess: (view) => client.setQueryData(['retention'], view),
  });
}
