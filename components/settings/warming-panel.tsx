'use client';

import type { SettingsView } from '@/lib/api/strategies';
import { errorMessage } from '../api/api-fetch';
import { useUpdateSettingsMutation } from '../api/strategies';
import { useHasRole } from '../shell/role';
import { Button } from '../ui/button';
import { LocalTime } from '../ui/local-time';
import { Panel } from '../ui/panel';

/**
 * The global pause: one switch that stops every worker from taking new work (shards in progress
 * finish; queued runs and fired schedules wait). Audited as warming.pause / warming.resume.
 */
export function WarmingPanel({ settings }: { settings: SettingsView }) {
  const canEdit = useHasRole('operator');
  const update = useUpdateSettingsMutation();
  return (
    <Panel title="Warming" id="warming">
      <div className="flex flex-wrap items-center gap-3 px-4 py-3 text-sm">
        <p className="min-w-0 flex-1" data-testid="warming-state">
          {settings.paused ? (
            <>
              <span className="font-semibold text-warn">Paused</span>
              {settings.pausedBy ? <> by {settings.pausedBy}</> : null}
              {settings.pausedAt ? (
                <>
                  {' '}
                  (<LocalTime iso={settings.pausedAt} relative />)
                </>
              ) : null}
              : no worker takes new work. Shards already being warmed finish; queued runs and schedules wait.
            </>
          ) : (
            <>
              <span className="font-semibold text-ok">On</span>: workers take queued shards as they come. Pausing stops them from taking new work everywhere, at once.
            </>
          )}
        </p>
        {canEdit ? (
          <Button
            variant={settings.paused ? 'primary' : 'danger'}
            data-mutates
            busy={update.isPending}
            onClick={() => update.mutate({ paused: !settings.paused })}
          >
            {settings.paused ? 'Resume warming' : 'Pause all warming'}
          </Button>
        ) : null}
      </div>
      {update.isError ? (
        <p role="alert" className="px-4 pb-3 text-xs text-bad">
          {errorMessage(update.error)}
        </p>
      ) : null}
    </Panel>
  );
}
