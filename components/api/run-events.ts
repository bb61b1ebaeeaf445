'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { RunDetail, RunList } from '@/lib/api/runs';
import { successRate } from '@/lib/success-rate';
import type { LiveRun } from '@/lib/ui/run-progress';
import { useRunQuery } from './runs';

export type LiveRunState = {
  run: LiveRun | null;
  /** Where the figures come from: the event stream, or polling after the stream dropped. */
  source: 'stream' | 'polling';
};

type RunEvent = { type: 'progress' | 'end'; run: LiveRun };

/**
 * GET /api/runs/{id}/events: a run's progress as Server-Sent Events until its `end`. If the stream
 * drops (a proxy cut it, the server restarted, the session ended), it falls back to polling
 * GET /api/runs/{id} every second until the run is over. When the run ends, what depends on it
 * (the run, the runs list, the strategies' last runs, the cache's size, its coverage, the run
 * markers of the hit-rate charts) is read again.
 */
export function useRunEvents(id: string | null): LiveRunState {
  const client = useQueryClient();
  const [streamed, setStreamed] = useState<{ id: string; run: LiveRun } | null>(null);
  const [dropped, setDropped] = useState<string | null>(null);
  const polling = id !== null && dropped === id;
  const polled = useRunQuery(id ?? '', { enabled: polling, refetchInterval: (q) => (q.state.data?.status === 'running' ? 1000 : false) });

  useEffect(() => {
    if (!id) return;
    let ended = false;
    const source = new EventSource(`/api/runs/${encodeURIComponent(id)}/events`);
    const onEvent = (message: MessageEvent<string>) => {
      const event = JSON.parse(message.data) as RunEvent;
      setStreamed({ id, run: event.run });
      if (event.type === 'end') {
        ended = true;
        source.close();
        // The lists show the ending at once (the last-run card must not fall back to the run
        // before this one while they are read again).
        const { status, total, warmed, skipped, failed, durationMs, finishedAt } = event.run as LiveRun & { finishedAt?: string | null };
        client.setQueriesData<RunList>({ queryKey: ['runs'] }, (page) =>
          page
            ? {
                ...page,
                items: page.items.map((item) =>
                  item.id === id ? { ...item, status, total, warmed, skipped, failed, durationMs, finishedAt: finishedAt ?? item.finishedAt ?? new Date().toISOString(), successRate: item.dryRun ? null : successRate({ warmed, failed }) } : item,
                ),
              }
            : page,
        );
        void Promise.all(
          [['run', id], ['runs'], ['strategies'], ['status'], ['stats'], ['schedules'], ['hit-rate'], ['coverage']].map((queryKey) => client.invalidateQueries({ queryKey })),
        );
        // The coverage sample after a run is taken a moment after its end event.
        setTimeout(() => void client.invalidateQueries({ queryKey: ['coverage'] }), 1500);
      }
    };
    source.addEventListener('progress', onEvent as EventListener);
    source.addEventListener('end', onEvent as EventListener);
    source.addEventListener('error', () => {
      if (ended) return;
      source.close();
      setDropped(id);
    });
    return () => source.close();
  }, [id, client]);

  const fromPoll = polling && polled.data ? toLiveRun(polled.data) : null;
  const fromStream = streamed && streamed.id === id ? streamed.run : null;
  return { run: fromPoll ?? fromStream, source: polling ? 'polling' : 'stream' };
}

function toLiveRun(run: RunDetail): LiveRun {
  const { id, status, concurrency, total, warmed, skipped, failed, progress, cancelRequestedAt, durationMs, error } = run;
  return { id, status, concurrency, total, warmed, skipped, failed, progress, cancelRequestedAt, durationMs, error };
}
