'use client';

import { RUN_STATUSES } from '@/lib/api/runs';
import { useRunsQuery } from '../api/runs';
import { useSettingsQuery, useStrategiesQuery } from '../api/strategies';
import { CursorPager, useCursorPages } from '../ui/cursor-pager';
import { PageHeader, Panel } from '../ui/panel';
import { EmptyState, ErrorState, LoadingState, QueryState } from '../ui/state-panel';
import { CsvExportButton } from './csv-export-button';
import { HistoryCharts } from './history-charts';
import { HistoryFilterBar } from './history-filter-bar';
import { RunsTable } from './runs-table';
import { useHistoryFilters } from './use-history-filters';

const PAGE_SIZE = 25;

/** How warmups went over time: charts per strategy, then every run, filtered alike. */
export function HistoryPage() {
  const { filters, update } = useHistoryFilters();
  const strategies = useStrategiesQuery();
  const settings = useSettingsQuery();
  const runFilter = { from: filters.from, to: filters.to, strategy: filters.strategy, trigger: filters.trigger, status: filters.status, q: filters.q };
  // The page resets when the filters change, but not when a preset range moves forward a minute.
  const filterKey = JSON.stringify({ ...runFilter, from: filters.range === 'custom' ? filters.from : filters.range, to: undefined });
  const pages = useCursorPages(filterKey);
  const runs = useRunsQuery({ ...runFilter, cursor: pages.cursor, limit: PAGE_SIZE });

  return (
    <>
      <PageHeader title="History" description="Success rate, duration and keys per strategy over time, and every run." />
      <HistoryFilterBar filters={filters} update={update} strategies={strategies.data ?? []} />
      {strategies.data && settings.data ? (
        <HistoryCharts filters={filters} strategies={strategies.data} threshold={settings.data.alertSuccessRate} />
      ) : (
        <Panel className="mb-4">
          {strategies.isError ? (
            <ErrorState error={strategies.error} what="the strategies" onRetry={() => void strategies.refetch()} />
          ) : settings.isError ? (
            <ErrorState error={settings.error} what="the settings" onRetry={() => void settings.refetch()} />
          ) : (
            <LoadingState label="Loading the charts" rows={6} />
          )}
        </Panel>
      )}
      <Panel
        title="Runs"
        id="runs"
        actions={
          <>
            <select
              aria-label="Run status"
              className="h-7 rounded-md border border-border bg-panel px-2 text-xs"
              value={filters.status ?? ''}
              onChange={(e) => update({ status: e.target.value || undefined })}
            >
              <option value="">Any status</option>
              {RUN_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
            {/* Keyed by the filters: its "Exported N runs" is about the runs it exported, and goes when they change. */}
            <CsvExportButton key={filterKey} filter={runFilter} disabled={runs.data !== undefined && runs.data.items.length === 0 && pages.page === 1} />
          </>
        }
      >
        <QueryState
          query={runs}
          what="the runs"
          loadingRows={8}
          isEmpty={(page) => page.items.length === 0}
          empty={<EmptyState>No run in this range{filters.strategy || filters.trigger || filters.status || filters.q ? ' with these filters' : ''}{filters.q ? ` matching “${filters.q}”` : ''}.</EmptyState>}
        >
          {(page) => (
            <>
              <RunsTable runs={page.items} threshold={settings.data?.alertSuccessRate} />
              <CursorPager page={pages.page} nextCursor={page.nextCursor} onOlder={pages.older} onNewer={pages.newer} busy={runs.isFetching} />
            </>
          )}
        </QueryState>
      </Panel>
    </>
  );
}
