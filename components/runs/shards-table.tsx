import type { RunShardItem } from '@/lib/api/runs';
import { formatCount, formatDuration, humanize } from '@/lib/ui/format';
import { LocalTime } from '../ui/local-time';
import { Badge, StatusBadge } from '../ui/status-badge';

const HEAD = 'px-3 py-2 text-left text-xs font-medium text-muted whitespace-nowrap';
const NUM = 'px-3 py-2 text-right tabular-nums whitespace-nowrap';

/** A shard's slice of its strategy: a range of product ids, or the part of its listing after `skip` keys. */
function describeSlice(s: RunShardItem): string {
  if (s.rangeFrom !== null && s.rangeTo !== null) return `ids ${formatCount(s.rangeFrom)}–${formatCount(Math.max(s.rangeFrom, s.rangeTo - 1))}`;
  return s.skip > 0 ? `after key ${formatCount(s.skip)}` : 'all keys';
}

/**
 * The run's shards: which worker took each, how far it got, and every attempt before the last (a
 * worker that died or froze, whose shard pg-boss gave to another worker).
 */
export function ShardsTable({ shards }: { shards: RunShardItem[] }) {
  const workers = new Set(shards.flatMap((s) => (s.worker ? [s.worker] : [])));
  const retried = shards.filter((s) => s.retries.length > 0).length;
  return (
    <>
      <p className="px-4 pt-2 text-xs text-muted">
        {formatCount(shards.length)} {shards.length === 1 ? 'shard' : 'shards'} on {workers.size} {workers.size === 1 ? 'worker' : 'workers'}
        {retried ? `; ${retried} taken over after a worker stopped answering` : ''}.
      </p>
      <div className="overflow-x-auto">
        <table className="w-full text-sm">
          <thead className="border-b border-border">
            <tr>
              <th scope="col" className={HEAD}>Shard</th>
              <th scope="col" className={HEAD}>Status</th>
              <th scope="col" className={HEAD}>Worker</th>
              <th scope="col" className={`${HEAD} text-right`}>Keys</th>
              <th scope="col" className={`${HEAD} text-right`}>Warmed</th>
              <th scope="col" className={`${HEAD} text-right`}>Failed</th>
              <th scope="col" className={`${HEAD} text-right`}>Took</th>
              <th scope="col" className={HEAD}>Attempts</th>
            </tr>
          </thead>
          <tbody>
            {shards.map((s) => (
              <tr key={`${s.strategy}-${s.shard}`} className="border-b border-border align-top last:border-0" data-testid="shard-row">
                <td className="px-3 py-2">
                  <div className="font-medium whitespace-nowrap">
                    {humanize(s.strategy)} #{s.shard + 1}
                  </div>
                  <div className="text-xs text-muted">{describeSlice(s)}</div>
                </td>
                <td className="px-3 py-2">
                  <StatusBadge status={s.status} />
                  {s.cut ? (
                    <div className="mt-1">
                      <Badge tone="muted">handed on</Badge>
                    </div>
                  ) : null}
                  {s.status === 'running' && s.phase ? <div className="mt-1 text-xs text-muted">{s.phase}</div> : null}
                </td>
                <td className="px-3 py-2 font-mono text-xs whitespace-nowrap">{s.worker ?? <span className="text-muted">waiting for a worker</span>}</td>
                <td className={NUM}>
                  {formatCount(s.total)}
                  {s.expected !== null && s.status === 'running' ? <span className="text-muted"> / {formatCount(s.expected)}</span> : null}
                </td>
                <td className={NUM}>{formatCount(s.warmed)}</td>
                <td className={`${NUM} ${s.failed > 0 ? 'text-bad' : ''}`}>{formatCount(s.failed)}</td>
                <td className={NUM}>{s.durationMs !== null ? formatDuration(s.durationMs) : s.startedAt ? <LocalTime iso={s.startedAt} relative /> : '–'}</td>
                <td className="px-3 py-2 text-xs">
                  {s.retries.length === 0 ? (
                    <span className="text-muted">{s.attempt >= 0 ? 'first' : '–'}</span>
                  ) : (
                    <ul className="space-y-0.5">
                      {s.retries.map((r) => (
                        <li key={`${r.attempt}-${r.endedAt}`}>
                          <span className="font-mono">{r.worker ?? 'a worker'}</span>: {r.reason}
                        </li>
                      ))}
                    </ul>
                  )}
                  {s.error ? <div className="text-bad">{s.error}</div> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
