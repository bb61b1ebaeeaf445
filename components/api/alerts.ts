'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { AlertsOverview, ChannelBody, ChannelView, SilenceBody, SilenceView } from '@/lib/api/alerts';
import { apiFetch } from './api-fetch';

/** GET /api/alerts: open incidents, history, channels, silences, deliveries, rules (polled). */
export function useAlertsQuery() {
  return useQuery({ queryKey: ['alerts'], queryFn: () => apiFetch<AlertsOverview>('/api/alerts'), refetchInterval: 5000 });
}

function useAlertsChanged() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: ['alerts'] });
}

/** POST /api/alert-channels (admins). */
export function useCreateChannelMutation() {
  const changed = useAlertsChanged();
  return useMutation({
    mutationFn: (body: ChannelBody) => apiFetch<{ channel: ChannelView }>('/api/alert-channels', { method: 'POST', body }).then((r) => r.channel),
    onSuccess: changed,
  });
}

/** PATCH /api/alert-channels/{id} (admins). */
export function useUpdateChannelMutation() {
  const changed = useAlertsChanged();
  return useMutation({
    mutationFn: ({ id, patch }: { id: number; patch: Partial<ChannelBody> }) => apiFetch<{ channel: ChannelView }>(`/api/alert-channels/${id}`, { method: 'PATCH', body: patch }).then((r) => r.channel),
    onSuccess: changed,
  });
}

/** DELETE /api/alert-channels/{id} (admins). */
export function useDeleteChannelMutation() {
  const changed = useAlertsChanged();
  return useMutation({ mutationFn: (id: number) => apiFetch(`/api/alert-channels/${id}`, { method: 'DELETE' }), onSuccess: changed });
}

/** POST /api/alert-channels/{id}/test (admins): 202, the message goes through the outbox. */
export function useTestChannelMutation() {
  const changed = useAlertsChanged();
  return useMutation({ mutationFn: (id: number) => apiFetch<{ eventId: string }>(`/api/alert-channels/${id}/test`, { method: 'POST', body: {} }), onSuccess: changed });
}

/** POST /api/alert-silences (operators). */
export function useCreateSilenceMutation() {
  const changed = useAlertsChanged();
  return useMutation({ mutationFn: (body: SilenceBody) => apiFetch<{ silence: SilenceView }>('/api/alert-silences', { method: 'POST', body }).then((r) => r.silence), onSuccess: changed });
}

/** DELETE /api/alert-silences/{id} (operators): ends it now. */
export function useEndSilenceMutation() {
  const changed = useAlertsChanged();
  return useMutation({ mutationFn: (id: number) => apiFetch(`/api/alert-silences/${id}`, { method: 'DELETE' }), onSuccess: changed });
}
