'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { AuditOutcome, AuditPage } from '@/lib/api/audit';
import { apiFetch } from './api-fetch';

export type AuditFilter = { actor?: string; action?: string; outcome?: AuditOutcome; from?: string; to?: string; cursor?: string; limit?: number };

/** GET /api/audit: one page of the audit log, newest first. */
export function useAuditQuery(filter: AuditFilter) {
  return useQuery({
    queryKey: ['audit', filter],
    queryFn: () => apiFetch<AuditPage>('/api/audit', { query: filter }),
    placeholderData: keepPreviousData,
  });
}
