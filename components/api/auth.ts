'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Actor, ChangePasswordRequest, LoginRequest, LoginResponse } from '@/lib/api/auth';
import { apiFetch, markSigningOut } from './api-fetch';

/** GET /api/auth/me: who is signed in, with the role the database holds now. */
export function useMeQuery(initial?: Actor) {
  return useQuery({
    queryKey: ['me'],
    queryFn: () => apiFetch<{ actor: Actor }>('/api/auth/me').then((r) => r.actor),
    initialData: initial,
    // The role decides which controls show: re-read it now and then, so a demotion hides them.
    staleTime: 60_000,
  });
}

/** POST /api/auth/login. */
export function useLoginMutation() {
  return useMutation({ mutationFn: (input: LoginRequest) => apiFetch<LoginResponse>('/api/auth/login', { method: 'POST', body: input }) });
}

/** POST /api/auth/logout: ends the session; the cache of what this operator saw is dropped. */
export function useLogoutMutation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => apiFetch<{ ok: true }>('/api/auth/logout', { method: 'POST' }),
    // Cleared queries that are still on screen refetch at once, and get 401: the page leaves for
    // /login by itself, without a detour through "sign in to come back here".
    onSuccess: () => {
      markSigningOut();
      client.clear();
    },
  });
}

/** POST /api/auth/password: the signed-in operator's own password; their other sessions end. */
export function useChangePasswordMutation() {
  return useMutation({ mutationFn: (input: ChangePasswordRequest) => apiFetch<{ ok: true }>('/api/auth/password', { method: 'POST', body: input }) });
}
