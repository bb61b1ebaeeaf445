'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ApiTokenView, CreateTokenRequest, CreateTokenResponse } from '@/lib/api/tokens';
import { apiFetch } from './api-fetch';

/** GET /api/tokens (admins). */
export function useTokensQuery() {
  return useQuery({
    queryKey: ['tokens'],
    queryFn: () => apiFetch<{ tokens: ApiTokenView[] }>('/api/tokens').then((r) => r.tokens),
  });
}

/** POST /api/tokens: the answer carries the secret, the only time it is ever shown. */
export function useCreateTokenMutation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: CreateTokenRequest) => apiFetch<CreateTokenResponse>('/api/tokens', { method: 'POST', body: input }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['tokens'] }),
  });
}

/** DELETE /api/tokens/{id}: revoked from the next request on. */
export function useRevokeTokenMutation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => apiFetch<{ token: ApiTokenView }>(`/api/tokens/${id}`, { method: 'DELETE' }).then((r) => r.token),
    onSuccess: () => client.invalidateQueries({ queryKey: ['tokens'] }),
  });
}
