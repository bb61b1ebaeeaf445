'use client';

import type { StrategyView } from '@/lib/api/strategies';
import { formatSeconds, humanize } from '@/lib/ui/format';
import { optionText } from '@/lib/ui/labels';
import { useStrategiesQuery } from '../api/strategies';
import { useHasRole } from '../shell/role';
import { Panel } from '../ui/panel';
import { EmptyState, QueryState } from '../ui/state-panel';
import { Badge } from '../ui/status-badge';
import { StrategySettingsRow } from './strategy-settings-row';
import { TableScroll } from '../ui/table-scroll';

/** Per strategy: priority (order within a run), TTL, enabled, and its own settings. */
export function StrategySettingsPanel() {
  const strategies = useStrategiesQuery();
  const canEdit = useHasRole('operator');
  return (
    <Panel title="Strategies" id="strategies">
      <p className="border-b border-border px-4 py-2 text-xs text-muted">
        A run warms its strategies by priority, highest first. Changes hold from the next run; a run going now keeps what it started with. Re-warm on change reloads a strategy’s cached keys when the rows they come from change (see Freshness).
      </p>
      <QueryState query={strategies} what="the strategies" loadingRows={5} isEmpty={(list) => list.length === 0} empty={<EmptyState>No strategy is registered.</EmptyState>}>
        {(list) => (canEdit ? <div className="divide-y divide-border">{list.map((s) => <StrategySettingsRow key={s.name} strategy={s} />)}</div> : <ReadOnlyStrategies strategies={list} />)}
      </QueryState>
    </Panel>
  );
}

function ReadOnlyStrategies({ strategies }: { strategies: StrategyView[] }) {
  const head = 'px-4 py-2 text-left text-xs font-medium text-muted';
  return (
    <TableScroll>
      <table className="w-full text-sm">
        <thead className="border-b border-border">
          <tr>
            <th scope="col" className={head}>Strategy</th>
            <th scope="col" className={`${head} text-right`}>Priority</th>
            <th scope="col" className={`${head} text-right`}>TTL</th>
            <th scope="col" className={head}>State</th>
            <th scope="col" className={head}>Re-warm on change</th>
            <th scope="col" className={head}>Its settings</th>
          </tr>
        </thead>
        <tbody>
          {strategies.map((s) => (
            <tr key={s.name} className="border-b border-border last:border-0">
              <td className="px-4 py-2 font-medium">{humanize(s.name)}</td>
              <td className="px-4 py-2 text-right tabular-nums">{s.priority}</td>
              <td className="px-4 py-2 text-right tabular-nums">{formatSeconds(s.ttlSeconds)}</td>
              <td className="px-4 py-2">{s.enabled ? <Badge tone="ok">enabled</Badge> : <Badge tone="muted">disabled</Badge>}</td>
              <td className="px-4 py-2">{s.rewarmOnChange ? 'on' : 'off'}</td>
              <td className="px-4 py-2 text-xs">
                {Object.entries(s.options)
                  .map(([k, v]) => optionText(k, v))
                  .join(' · ') || <span className="text-muted">none</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}
