'use client';

import type { WorkerView } from '@/lib/api/workers';
import { formatCount } from '@/lib/ui/format';
import { useWorkersQuery } from '../api/workers';
import { PageHeader, Panel } from '../ui/panel';
import { LocalTime } from '../ui/local-time';
import { EmptyState, QueryState } from '../ui/state-panel';
import { Badge } from '../ui/status-badge';

const HEAD = 'px-3 py-2 text-left text-xs font-medium text-muted whitespace-nowrap';
const NUM = 'px-3 py-2 text-right tabular-nums whitespace-nowrap';

/** The worker processes that execute runs' shards, and what waits for them. */
export function WorkersPage() {
  const query = useWorkersQuery();
  return (
    <>
      <PageHeader title="Workers" description="The processes that take runs’ shards from the job queue and warm them. Each reports itself every 2 seconds." />
      <QueryState query={query} what="the workers" loadingRows={4}>
        {(data) => {
          const alive = data.workers.filter((w) => w.alive);
          return (
            <div className="space-y-4">
              <div className="grid grid-cols-2 gap-3 sm:grid-cols-4">
                <Stat label="Workers running" value={formatCount(alive.length)} tone={alive.length === 0 ? 'text-warn' : undefined} />
                <Stat label="Shards queued" value={formatCount(data.queue.queued)} />
                <Stat label="Shards being warmed" value={formatCount(data.queue.active)} />
                <Stat label="Shards to retry" value={formatCount(data.queue.retrying)} tone={data.queue.retrying > 0 ? 'text-warn' : undefined} />
              </div>
              {data.paused ? (
                <p role="status" className="rounded-md border border-warn/50 bg-warn/10 px-3 py-2 text-sm">
                  Warming is paused: no worker takes new work until it is resumed in Settings.
                </p>
              ) : alive.length === 0 ? (
                <p role="status" className="rounded-md border border-warn/50 bg-warn/10 px-3 py-2 text-sm">
                  No worker is running: runs wait until one starts (<code className="font-mono">npm run worker</code>, or <code className="font-mono">npm start</code> with KILN_WORKERS of 1 or more).
                </p>
              ) : null}
              <Panel title="Processes" id="workers">
                {data.workers.length === 0 ? (
                  <EmptyState>No worker has reported in the last day.</EmptyState>
                ) : (
                  <div className="overflow-x-auto">
                    <table className="w-full text-sm">
                      <thead className="border-b border-border">
                        <tr>
                          <th scope="col" className={HEAD}>Worker</th>
                          <th scope="col" className={HEAD}>State</th>
                          <th scope="col" className={`${HEAD} text-right`}>Busy</th>
                          <th scope="col" className={`${HEAD} text-right`}>Shards done</th>
                          <th scope="col" className={`${HEAD} text-right`}>Keys done</th>
                          <th scope="col" className={`${HEAD} text-right`}>Keys/s now</th>
                          <th scope="col" className={HEAD}>Started</th>
                          <th scope="col" className={HEAD}>Last seen</th>
                        </tr>
                      </thead>
                      <tbody>
                        {data.workers.map((w) => (
                          <WorkerRow key={w.id} worker={w} />
                        ))}
                      </tbody>
                    </table>
                  </div>
                )}
              </Panel>
            </div>
          );
        }}
      </QueryState>
    </>
  );
}

function WorkerRow({ worker: w }: { worker: WorkerView }) {
  return (
    <tr className="border-b border-border last:border-0" data-testid="worker-row">
      <td className="px-3 py-2">
        <div className="font-mono text-xs">{w.name}</div>
      </td>
      <td className="px-3 py-2">
        <Badge tone={w.alive ? 'ok' : w.state === 'stopped' ? 'muted' : 'bad'}>{w.state}</Badge>
      </td>
      <td className={NUM}>
        {w.busy} of {w.slots}
      </td>
      <td className={NUM}>{formatCount(w.shardsDone)}</td>
      <td className={NUM}>{formatCount(w.keysDone)}</td>
      <td className={NUM}>{formatCount(Math.round(w.keysPerSecond))}</td>
      <td className="px-3 py-2 text-xs whitespace-nowrap">
        <LocalTime iso={w.startedAt} relative />
      </td>
      <td className="px-3 py-2 text-xs whitespace-nowrap">
        <LocalTime iso={w.lastSeenAt} relative />
      </td>
    </tr>
  );
}

function Stat({ label, value, tone }: { label: string; value: string; tone?: string }) {
  return (
    <div className="rounded-lg border border-border bg-panel px-4 py-3">
      <div className="text-xs text-muted">{label}</div>
      <div className={`mt-1 text-2xl font-semibold tabular-nums ${tone ?? ''}`}>{value}</div>
    </div>
  );
}
