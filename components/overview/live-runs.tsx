'use client';

import { useEffect, useState } from 'react';
import type { RunListItem } from '@/lib/api/runs';
import { humanize } from '@/lib/ui/format';
import { type StartedRun, useRunsQuery } from '../api/runs';
import { RunProgress } from '../runs/run-progress';
import { Panel } from '../ui/panel';

export type WatchedRun = { id: string; strategies: string[]; label: string };

const FINISHED_KEPT = 3;

function fromListItem(run: RunListItem): WatchedRun {
  const who = run.trigger === 'schedule' && run.scheduleName ? `schedule ${run.scheduleName}` : `${run.trigger} by ${run.triggeredBy}`;
  return { id: run.id, strategies: run.strategies, label: who };
}

/**
 * The runs going now, whoever started them (polled every 3 s), and the ones started from this
 * page, each live from its event stream. A run that ends stays, with its outcome, until dismissed
 * (the newest few only), so a quick run is not gone before anyone could read how it went.
 */
export function useWatchedRuns(startedBy: string) {
  const running = useRunsQuery({ status: 'running', limit: 20 }, { refetchInterval: 3000 });
  const [watched, setWatched] = useState<WatchedRun[]>([]);

  useEffect(() => {
    const items = running.data?.items ?? [];
    if (items.length === 0) return;
    setWatched((list) => {
      const fresh = items.filter((r) => !list.some((w) => w.id === r.id)).map(fromListItem);
      return fresh.length ? [...fresh, ...list] : list;
    });
  }, [running.data]);

  const runningIds = new Set((running.data?.items ?? []).map((r) => r.id));
  return {
    watched,
    runningIds,
    add: (run: StartedRun) =>
      setWatched((list) => (list.some((w) => w.id === run.runId) ? list : [{ id: run.runId, strategies: run.strategies, label: `manual by ${startedBy}` }, ...list])),
    dismiss: (id: string) => setWatched((list) => list.filter((w) => w.id !== id)),
  };
}

export function LiveRuns({ watched, runningIds, dismiss }: { watched: WatchedRun[]; runningIds: Set<string>; dismiss: (id: string) => void }) {
  if (watched.length === 0) return null;
  // Runs still going first; of the ended ones only the newest few are kept on screen.
  const shown = [...watched.filter((w) => runningIds.has(w.id)), ...watched.filter((w) => !runningIds.has(w.id)).slice(0, FINISHED_KEPT)];
  return (
    <Panel title="Live runs" id="live-runs" className="mb-4">
      <div className="divide-y divide-border">
        {shown.map((w) => (
          <RunProgress
            key={w.id}
            runId={w.id}
            title={`${w.strategies.map(humanize).join(', ')} · ${w.label}`}
            onDismiss={() => dismiss(w.id)}
          />
        ))}
      </div>
    </Panel>
  );
}
