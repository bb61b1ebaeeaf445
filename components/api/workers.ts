'use client';

import { useQuery } from '@tanstack/react-query';
import type { WorkersOverview } from '@/lib/api/workers';
import { apiFetch } from './api-fetch';

/** GET /api/workers: the worker processes and the queue's depth (polled: workers report every 2 s). */
export function useWorkersQuery() {
  return useQuery({
    queryKey: ['workers'],
    queryFn: () => apiFetch<WorkersOverview>('/api/workers'),
    refetchInterval: 3000,
  });
}
