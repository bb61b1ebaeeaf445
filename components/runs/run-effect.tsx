'use client';

import type { RunDetail } from '@/lib/api/runs';
import type { StrategyDiff } from '@/lib/api/used';
import { formatCount, humanize } from '@/lib/ui/format';
import { useRunDiffQuery, useRunEffectQuery } from '../api/used';
import { USED_EXPLAINER, UsedTable } from '../effect/used-table';
import { Panel } from '../ui/panel';
import { EmptyState, QueryState } from '../ui/state-panel';
import { TableScroll } from '../ui/table-scroll';

const HEAD = 'px-3 py-2 text-left text-xs font-medium text-muted';
const NUM = 'px-3 py-2 text-right tabular-nums';

/** The run's warmed keys used, unread and gone at each checkpoint, and what changed against the previous run. */
export function RunEffect({ run }: { run: RunDetail }) {
  const ended = run.status !== 'running';
  const effect = useRunEffectQuery(run.id, { enabled: ended });
  const diff = useRunDiffQuery(run.id, { enabled: ended });
  return (
    <>
      <Panel title="Used or wasted" id="run-used">
        <p className="border-b border-border px-4 py-2 text-xs text-muted">{USED_EXPLAINER}</p>
        {!ended ? (
          <EmptyState>Checked as the run ends, then 10 min and 1 h after, and at half the TTL.</EmptyState>
        ) : (
          <QueryState query={effect} what="the run’s used shares" isEmpty={(d) => d.strategies.every((s) => s.samples.length === 0)} empty={<EmptyState>No check of this run yet.</EmptyState>}>
            {(data) => (
              <UsedTable
                rows={data.strategies.flatMap((s) => s.samples.map((sample) => ({ key: `${s.strategy}-${sample.checkpoint}`, strategy: s.strategy, warmed: s.warmed, sample })))}
              />
            )}
          </QueryState>
        )}
      </Panel>
      <Panel title="Against the previous run" id="run-diff">
        {!ended ? (
          <EmptyState>Compared once the run ends.</EmptyState>
        ) : (
          <QueryState query={diff} what="the run’s diff" isEmpty={(d) => d.strategies.length === 0} empty={<EmptyState>This run recorded no strategy.</EmptyState>}>
            {(data) => <DiffTable rows={data.strategies} />}
          </QueryState>
        )}
      </Panel>
    </>
  );
}

function DiffTable({ rows }: { rows: StrategyDiff[] }) {
  return (
    <TableScroll>
      <table className="w-full text-sm" data-testid="diff-table">
        <thead className="border-b border-border">
          <tr>
            <th scope="col" className={HEAD}>Strategy</th>
            <th scope="col" className={`${HEAD} text-right`}>Added</th>
            <th scope="col" className={`${HEAD} text-right`}>Dropped</th>
            <th scope="col" className={`${HEAD} text-right`}>Newly failing</th>
            <th scope="col" className={`${HEAD} text-right`}>No longer failing</th>
            <th scope="col" className={HEAD}>Compared</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((d) => (
            <tr key={d.strategy} className="border-b border-border last:border-0" data-testid={`diff-${d.strategy}`}>
              <td className="px-3 py-2 font-medium whitespace-nowrap">{humanize(d.strategy)}</td>
              <td className={NUM} title={d.examples.added.join('\n')}>{d.method === 'none' ? '–' : formatCount(d.added)}</td>
              <td className={NUM} title={d.examples.dropped.join('\n')}>{d.method === 'none' ? '–' : formatCount(d.dropped)}</td>
              <td className={NUM} title={d.examples.newlyFailing.join('\n')}>{formatCount(d.newlyFailing)}</td>
              <td className={NUM} title={d.examples.noLongerFailing.join('\n')}>{formatCount(d.noLongerFailing)}</td>
              <td className="px-3 py-2 text-xs text-muted">
                {d.previousRunId === null
                  ? 'first run of this strategy'
                  : d.method === 'exact'
                    ? `every key${d.truncated ? ' kept (the bound cut the set: a lower bound)' : ''}`
                    : d.method === 'sample'
                      ? `a ${Math.round(d.keepRate * 1000) / 10}% hash sample, scaled up`
                      : 'warm sets no longer kept (the last two runs are): failures only'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}
