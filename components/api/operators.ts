'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { CreateOperatorRequest, OperatorView, UpdateOperatorRequest } from '@/lib/api/operators';
import { apiFetch } from './api-fetch';

/** GET /api/operators (admins). */
export function useOperatorsQuery() {
  return useQuery({
    queryKey: ['operators'],
    queryFn: () => apiFetch<{ operators: OperatorView[] }>('/api/operators').then((r) => r.operators),
  });
}

function useOperatorsChanged() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: ['operators'] });
}

/** POST /api/operators. */
export function useCreateOperatorMutation() {
  const changed = useOperatorsChanged();
  return useMutation({
    mutationFn: (input: CreateOperatorRequest) => apiFetch<{ operator: OperatorView }>('/api/operators', { method: 'POST', body: input }).then((r) => r.operator),
    onSuccess: changed,
  });
}

/**
 * PATCH /api/operators/{id}: name, role, disabled, or a password reset. With `version` (the
 * operator as shown), an operator changed since is refused with 412 (isStaleEdit) and the list refreshed.
 */
export function useUpdateOperatorMutation() {
  const changed = useOperatorsChanged();
  return useMutation({
    mutationFn: ({ id, patch, version }: { id: number; patch: UpdateOperatorRequest; version?: number }) =>
      apiFetch<{ operator: OperatorView }>(`/api/operators/${id}`, { method: 'PATCH', body: patch, ifMatch: version }).then((r) => r.operator),
    onSuccess: changed,
    onError: changed,
  });
}

/** DELETE /api/operators/{id}. */
export function useDeleteOperatorMutation() {
  const changed = useOperatorsChanged();
  return useMutation({
    mutationFn: (id: number) => apiFetch<{ operator: OperatorView }>(`/api/operators/${id}`, { method: 'DELETE' }).then((r) => r.operator),
    onSuccess: changed,
  });
}
