'use client';

import { useState } from 'react';
import type { SettingsView } from '@/lib/api/strategies';
import { formatCount } from '@/lib/ui/format';
import { errorMessage, fieldError } from '../api/api-fetch';
import { useUpdateSettingsMutation } from '../api/strategies';
import { useHasRole } from '../shell/role';
import { Button } from '../ui/button';
import { FieldError } from '../ui/field';
import { LocalTime } from '../ui/local-time';
import { Panel } from '../ui/panel';

const PRESETS = [
  { label: 'Peak', value: 10, hint: 'leave the database to the shop' },
  { label: 'Normal', value: 20, hint: 'the default' },
  { label: 'Night', value: 50, hint: 'warm fast while traffic is low' },
];

/**
 * How many keys load at once, at most. A change applies at once, to the runs going now as well
 * as the next ones; the answer says how many running runs took it.
 */
export function ConcurrencyPanel({ settings }: { settings: SettingsView }) {
  const canEdit = useHasRole('operator');
  const update = useUpdateSettingsMutation();
  const [value, setValue] = useState(String(settings.maxConcurrency));
  const [outcome, setOutcome] = useState<string | null>(null);
  const [localError, setLocalError] = useState<string | undefined>();

  const apply = (next: number) => {
    setOutcome(null);
    if (!Number.isInteger(next) || next < 1 || next > 256) {
      setLocalError('Enter a whole number from 1 to 256');
      return;
    }
    setLocalError(undefined);
    const before = settings.maxConcurrency;
    update.mutate(
      { maxConcurrency: next },
      {
        onSuccess: ({ settings: after, retunedRuns }) => {
          setValue(String(after.maxConcurrency));
          const runs = retunedRuns === 0 ? 'no run was going' : `${formatCount(retunedRuns)} running ${retunedRuns === 1 ? 'run' : 'runs'} retuned`;
          setOutcome(before === after.maxConcurrency ? `Concurrency stays ${after.maxConcurrency}` : `Concurrency ${before} → ${after.maxConcurrency}: ${runs}`);
        },
      },
    );
  };
  const error = localError ?? fieldError(update.error, 'maxConcurrency') ?? (update.isError ? errorMessage(update.error) : undefined);

  return (
    <Panel title="Concurrency" id="concurrency">
      <div className="flex flex-wrap items-start gap-8 p-4">
        <div>
          <div className="text-3xl font-semibold tabular-nums" data-testid="current-concurrency">
            {settings.maxConcurrency}
          </div>
          <p className="text-xs text-muted">keys loading at once, at most</p>
        </div>
        {canEdit ? (
          <div className="min-w-0 flex-1 space-y-3">
            <div role="group" aria-label="Concurrency presets" className="flex flex-wrap gap-2">
              {PRESETS.map((p) => (
                <Button key={p.label} data-mutates variant={settings.maxConcurrency === p.value ? 'primary' : 'secondary'} aria-pressed={settings.maxConcurrency === p.value} busy={update.isPending && update.variables?.maxConcurrency === p.value} onClick={() => apply(p.value)} title={p.hint}>
                  {p.label} {p.value}
                </Button>
              ))}
            </div>
            <form
              noValidate
              className="flex items-start gap-2"
              onSubmit={(e) => {
                e.preventDefault();
                apply(Number(value));
              }}
            >
              <div>
                <label htmlFor="concurrency-input" className="sr-only">
                  Concurrency
                </label>
                <input
                  id="concurrency-input"
                  type="number"
                  min={1}
                  max={256}
                  step={1}
                  value={value}
                  onChange={(e) => setValue(e.target.value)}
                  aria-invalid={error ? true : undefined}
                  aria-describedby={error ? 'concurrency-error' : undefined}
                  className="h-8 w-24 rounded-md border border-border bg-bg px-2 text-sm tabular-nums aria-[invalid=true]:border-bad"
                />
                <FieldError id="concurrency-error">{error}</FieldError>
              </div>
              <Button type="submit" data-mutates busy={update.isPending && !PRESETS.some((p) => p.value === update.variables?.maxConcurrency)}>
                Apply
              </Button>
            </form>
            {outcome ? (
              <p role="status" className="text-sm text-ok" data-testid="concurrency-outcome">
                {outcome}
              </p>
            ) : null}
          </div>
        ) : null}
        <p className="ml-auto self-end text-xs text-muted">
          Changed by {settings.updatedBy}, <LocalTime iso={settings.updatedAt} relative />
        </p>
      </div>
    </Panel>
  );
}
