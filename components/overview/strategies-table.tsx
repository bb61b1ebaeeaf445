'use client';

import Link from 'next/link';
import type { StrategyView } from '@/lib/api/strategies';
import { formatCount, formatRate, formatSeconds, humanize } from '@/lib/ui/format';
import { isBelowThreshold } from '@/lib/success-rate';
import type { StartedRun } from '../api/runs';
import { useHasRole } from '../shell/role';
import { LocalTime } from '../ui/local-time';
import { Badge, StatusBadge } from '../ui/status-badge';
import { Sparkline } from './sparkline';
import { ActionsCell, ActionsHeader, TableScroll } from '../ui/table-scroll';
import { WarmButton } from './warm-button';

const HEAD = 'px-3 py-2 text-left text-xs font-medium text-muted';

/** Every strategy by priority (highest first): its settings in force, its last run and a trend. */
export function StrategiesTable({ strategies, threshold, onStarted }: { strategies: StrategyView[]; threshold: number; onStarted: (run: StartedRun) => void }) {
  const canAct = useHasRole('operator');
  return (
    <TableScroll>
      <table className="w-full text-sm">
        <thead className="border-b border-border">
          <tr>
            <th scope="col" className={HEAD}>Strategy</th>
            <th scope="col" className={HEAD}>Context · tags</th>
            <th scope="col" className={`${HEAD} text-right`}>Priority</th>
            <th scope="col" className={`${HEAD} text-right`}>TTL</th>
            <th scope="col" className={HEAD}>State</th>
            <th scope="col" className={HEAD}>Last run</th>
            <th scope="col" className={`${HEAD} text-right`}>Keys warmed</th>
            <th scope="col" className={`${HEAD} text-right`}>Success</th>
            <th scope="col" className={HEAD}>
              Recent runs
            </th>
            {canAct ? (
              <ActionsHeader />
            ) : null}
          </tr>
        </thead>
        <tbody>
          {strategies.map((s) => (
            <StrategyRow key={s.name} strategy={s} threshold={threshold} canAct={canAct} onStarted={onStarted} />
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}

function StrategyRow({ strategy: s, threshold, canAct, onStarted }: { strategy: StrategyView; threshold: number; canAct: boolean; onStarted: (run: StartedRun) => void }) {
  const run = s.lastRun;
  const low = run ? isBelowThreshold(run.successRate, threshold) : false;
  return (
    <>
      <tr className="border-b border-border last:border-0 align-middle" data-testid={`strategy-${s.name}`}>
        <td className="px-3 py-2">
          <div className="font-medium">{humanize(s.name)}</div>
          <div className="max-w-72 truncate text-xs text-muted" title={s.description}>
            {s.description}
          </div>
        </td>
        <td className="px-3 py-2 text-xs">
          <span className="font-medium">{s.context}</span>
          <span className="text-muted"> · {s.tags.filter((t) => t !== s.context).join(', ') || '–'}</span>
        </td>
        <td className="px-3 py-2 text-right tabular-nums">{s.priority}</td>
        <td className="px-3 py-2 text-right tabular-nums">{formatSeconds(s.ttlSeconds)}</td>
        <td className="px-3 py-2">
          {s.busyWith ? (
            <Link href={`/runs/${s.busyWith}`} className="hover:underline" data-testid="strategy-busy" data-busy-state={s.busyState ?? 'running'}>
              {s.busyState === 'waiting' ? <Badge tone="muted">waiting in run</Badge> : s.busyState === 'done' ? <Badge tone="ok">done in run</Badge> : <StatusBadge status="running" />}
            </Link>
          ) : s.enabled ? (
            <Badge tone="ok">enabled</Badge>
          ) : (
            <Badge tone="muted">disabled</Badge>
          )}
        </td>
        <td className="px-3 py-2 text-xs">
          {run ? (
            <Link href={`/runs/${run.runId}`} className="hover:underline">
              <LocalTime iso={run.finishedAt} relative />
            </Link>
          ) : (
            <span className="text-muted">never</span>
          )}
        </td>
        <td className="px-3 py-2 text-right tabular-nums">{run ? `${formatCount(run.warmed)} / ${formatCount(run.total)}` : '–'}</td>
        <td className={`px-3 py-2 text-right font-medium tabular-nums ${low ? 'text-bad' : ''}`}>{run ? formatRate(run.successRate) : '–'}</td>
        <td className="px-3 py-2">
          <Sparkline points={s.recent} threshold={threshold} />
        </td>
        {canAct ? (
          <ActionsCell>
            {s.enabled ? (
              <WarmButton size="sm" aria-label={`Warm now: ${humanize(s.name)}`} disabled={s.busyWith !== null} scope={{ strategies: [s.name] }} onStarted={onStarted}>
                Warm now
              </WarmButton>
            ) : (
              <Link href="/settings#strategies" className="whitespace-nowrap text-xs text-accent hover:underline">
                Enable in settings
              </Link>
            )}
          </ActionsCell>
        ) : null}
      </tr>
    </>
  );
}
