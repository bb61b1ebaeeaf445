'use client';

import { useSettingsQuery } from '../api/strategies';
import { PageHeader } from '../ui/panel';
import { QueryState } from '../ui/state-panel';
import { ConcurrencyPanel } from './concurrency-panel';
import { DefaultsPanel } from './defaults-panel';
import { RetentionPanel } from './retention-panel';
import { StrategySettingsPanel } from './strategy-settings-panel';
import { WarmingPanel } from './warming-panel';

/** Concurrency (live), the global defaults, each strategy's own settings, and (admins) retention. */
export function SettingsPage() {
  const settings = useSettingsQuery();
  return (
    <>
      <PageHeader title="Settings" description="Every change is written to the audit log and holds on every replica." />
      <div className="space-y-4">
        <QueryState query={settings} what="the settings" loadingRows={4}>
          {(data) => (
            <>
              <WarmingPanel settings={data} />
              <ConcurrencyPanel settings={data} />
              <DefaultsPanel settings={data} />
            </>
          )}
        </QueryState>
        <StrategySettingsPanel />
        <RetentionPanel />
      </div>
    </>
  );
}
