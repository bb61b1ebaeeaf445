'use client';

import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { MisfirePolicy, ScheduleInput, SchedulePreview, ScheduleView, StrategyCoverage } from '@/lib/api/schedules';
import { apiFetch } from './api-fetch';
import type { StartedRun } from './runs';

export type { MisfirePolicy, ScheduleInput };

/** GET /api/schedules: each schedule with its next fire time, last outcome and missed slots. */
export function useSchedulesQuery(options: { refetchInterval?: number | false } = {}) {
  return useQuery({
    queryKey: ['schedules'],
    queryFn: () => apiFetch<{ schedules: ScheduleView[] }>('/api/schedules').then((r) => r.schedules),
    refetchInterval: options.refetchInterval,
  });
}

function useSchedulesChanged() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: ['schedules'] });
}

/** POST /api/schedules: 201 {schedule}, or 400 naming the field. */
export function useCreateScheduleMutation() {
  const changed = useSchedulesChanged();
  return useMutation({
    mutationFn: (input: ScheduleInput) => apiFetch<{ schedule: ScheduleView }>('/api/schedules', { method: 'POST', body: input }).then((r) => r.schedule),
    onSuccess: changed,
  });
}

/**
 * PATCH /api/schedules/{id}: any fields; `{enabled}` alone pauses or resumes. With `version` (the
 * schedule as shown), a schedule changed since is refused with 412 (isStaleEdit) and the list refreshed.
 */
export function useUpdateScheduleMutation() {
  const changed = useSchedulesChanged();
  return useMutation({
    mutationFn: ({ id, patch, version }: { id: number; patch: Partial<ScheduleInput>; version?: number }) =>
      apiFetch<{ schedule: ScheduleView }>(`/api/schedules/${id}`, { method: 'PATCH', body: patch, ifMatch: version }).then((r) => r.schedule),
    onSuccess: changed,
    onError: changed,
  });
}

/** DELETE /api/schedules/{id}. */
export function useDeleteScheduleMutation() {
  const changed = useSchedulesChanged();
  return useMutation({
    mutationFn: (id: number) => apiFetch<{ schedule: ScheduleView }>(`/api/schedules/${id}`, { method: 'DELETE' }),
    onSuccess: changed,
  });
}

/**
 * POST /api/schedules/{id}/run: starts the schedule's run now (202 {runId, strategies}); inside a
 * blackout window 409 in_blackout (blackoutRefusal) unless `confirmBlackout`.
 */
export function useRunScheduleNowMutation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, confirmBlackout }: { id: number; confirmBlackout?: boolean }) =>
      apiFetch<StartedRun>(`/api/schedules/${id}/run`, { method: 'POST', ...(confirmBlackout ? { body: { confirmBlackout: true } } : {}) }),
    onSettled: () => Promise.all([client.invalidateQueries({ queryKey: ['runs'] }), client.invalidateQueries({ queryKey: ['schedules'] })]),
  });
}

/**
 * POST /api/schedules/preview: what an expression means in a zone, and its next 5 fire times.
 * A read, so it is a query: the same expression is asked once, and the last good answer stays
 * on screen while the next is on its way.
 */
export function useSchedulePreviewQuery(input: { cron: string; timezone: string }, enabled: boolean) {
  return useQuery({
    queryKey: ['schedule-preview', input],
    queryFn: () => apiFetch<SchedulePreview>('/api/schedules/preview', { method: 'POST', body: input }),
    enabled,
    placeholderData: keepPreviousData,
    staleTime: 60_000,
    retry: false,
  });
}

/** GET /api/schedules/coverage: per enabled strategy, the gaps its schedules and TTL leave this week, and a schedule closing them. */
export function useScheduleCoverageQuery() {
  return useQuery({
    queryKey: ['schedules', 'coverage'],
    queryFn: () => apiFetch<{ coverage: StrategyCoverage[] }>('/api/schedules/coverage').then((r) => r.coverage),
  });
}
