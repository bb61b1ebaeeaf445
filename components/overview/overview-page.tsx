'use client';

import { useMeQuery } from '../api/auth';
import { CoveragePanel } from '../effect/coverage-panel';
import { HitRatePanel } from '../effect/hit-rate-panel';
import { UsedPanel } from '../effect/used-panel';
import { useSettingsQuery, useStrategiesQuery } from '../api/strategies';
import { Can } from '../shell/role';
import { PageHeader, Panel } from '../ui/panel';
import { EmptyState, QueryState } from '../ui/state-panel';
import { AlertBanner } from './alert-banner';
import { CacheCard } from './cache-card';
import { LastRunCard } from './last-run-card';
import { LiveRuns, useWatchedRuns } from './live-runs';
import { NextScheduleCard } from './next-schedule-card';
import { StrategiesTable } from './strategies-table';
import { WarmButton } from './warm-button';

/** What the cache looks like now, what runs now, the buttons that warm it, and whether warming helps. */
export function OverviewPage() {
  const me = useMeQuery();
  const strategies = useStrategiesQuery({ refetchInterval: 10_000 });
  const settings = useSettingsQuery();
  const runs = useWatchedRuns(me.data?.label ?? 'you');
  const threshold = settings.data?.alertSuccessRate;
  const contexts = [...new Set((strategies.data ?? []).filter((s) => s.enabled).map((s) => s.context))].sort();

  return (
    <>
      <PageHeader
        title="Overview"
        description="The shop’s cache now: what was warmed, what runs, what comes next."
        actions={
          <Can role="operator">
            {contexts.map((context) => (
              <WarmButton key={context} scope={{ tags: [context] }} onStarted={runs.add}>
                Warm {context}
              </WarmButton>
            ))}
            <WarmButton variant="primary" scope={{ all: true }} onStarted={runs.add}>
              Warm all
            </WarmButton>
          </Can>
        }
      />
      {strategies.data && threshold !== undefined ? <AlertBanner strategies={strategies.data} threshold={threshold} /> : null}
      <LiveRuns watched={runs.watched} runningIds={runs.runningIds} dismiss={runs.dismiss} />
      <div className="mb-4 grid grid-cols-1 gap-4 lg:grid-cols-3">
        <LastRunCard threshold={threshold} onStarted={runs.add} />
        <NextScheduleCard />
        <CacheCard />
      </div>
      <Panel title="Strategies" id="strategies" className="mb-4">
        <QueryState
          query={strategies}
          what="the strategies"
          loadingRows={5}
          isEmpty={(list) => list.length === 0}
          empty={<EmptyState>No warmup strategy is registered: the server’s contexts register them at start.</EmptyState>}
        >
          {(list) => <StrategiesTable strategies={list} threshold={threshold ?? 0} onStarted={runs.add} />}
        </QueryState>
      </Panel>
      <div className="space-y-4">
        <CoveragePanel />
        <HitRatePanel />
        <UsedPanel />
      </div>
    </>
  );
}
