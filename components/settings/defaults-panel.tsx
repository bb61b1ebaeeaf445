'use client';

import { type FormEvent, useState } from 'react';
import type { SettingsView, UpdateSettingsRequest } from '@/lib/api/strategies';
import { formatCount, formatDuration, formatRate, formatSeconds } from '@/lib/ui/format';
import { ApiError, errorMessage, fieldError, isStaleEdit } from '../api/api-fetch';
import { useUpdateSettingsMutation } from '../api/strategies';
import { StaleEditNotice, type StaleField } from '../ui/stale-edit-notice';
import { useHasRole } from '../shell/role';
import { FormFooter } from '../ui/form-footer';
import { TextField } from '../ui/field';
import { Panel } from '../ui/panel';

type Draft = { defaultTtlSeconds: string; batchSize: string; keyTimeoutMs: string; runTimeoutSeconds: string; alertPercent: string };

const toDraft = (s: SettingsView): Draft => ({
  defaultTtlSeconds: String(s.defaultTtlSeconds),
  batchSize: String(s.batchSize),
  keyTimeoutMs: String(s.keyTimeoutMs),
  runTimeoutSeconds: String(s.runTimeoutSeconds),
  alertPercent: String(Math.round(s.alertSuccessRate * 1000) / 10),
});

/** The global defaults: TTL, batch size, per-key and per-run timeouts, and the alert threshold. */
export function DefaultsPanel({ settings }: { settings: SettingsView }) {
  const canEdit = useHasRole('operator');
  return (
    <Panel title="Defaults" id="defaults">
      {canEdit ? (
        <DefaultsForm settings={settings} />
      ) : (
        <dl className="grid grid-cols-2 gap-4 p-4 text-sm sm:grid-cols-3 lg:grid-cols-5">
          <ReadOnly label="Default TTL" value={formatSeconds(settings.defaultTtlSeconds)} />
          <ReadOnly label="Batch size" value={`${formatCount(settings.batchSize)} keys`} />
          <ReadOnly label="Key timeout" value={formatDuration(settings.keyTimeoutMs)} />
          <ReadOnly label="Run timeout" value={formatSeconds(settings.runTimeoutSeconds)} />
          <ReadOnly label="Alert below" value={formatRate(settings.alertSuccessRate)} />
        </dl>
      )}
    </Panel>
  );
}

const SETTINGS_FIELDS: StaleField[] = [
  { key: 'defaultTtlSeconds', label: 'Default TTL (s)' },
  { key: 'batchSize', label: 'Batch size' },
  { key: 'keyTimeoutMs', label: 'Key timeout (ms)' },
  { key: 'runTimeoutSeconds', label: 'Run timeout (s)' },
  { key: 'alertSuccessRate', label: 'Alert below', format: (v) => `${Math.round(Number(v) * 1000) / 10} %` },
  { key: 'maxConcurrency', label: 'Concurrency' },
  { key: 'paused', label: 'Paused' },
];

function DefaultsForm({ settings }: { settings: SettingsView }) {
  const update = useUpdateSettingsMutation();
  // The settings as shown when the edit was sent: a 412 says what changed since.
  const [shown, setShown] = useState<SettingsView>(settings);
  const [draft, setDraft] = useState(() => toDraft(settings));
  const [saved, setSaved] = useState(false);
  const set = (key: keyof Draft) => (e: React.ChangeEvent<HTMLInputElement>) => {
    setSaved(false);
    // The server's refusal was about the value it got; once that is edited, the hints come back.
    if (update.isError) update.reset();
    setDraft({ ...draft, [key]: e.target.value });
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const patch: UpdateSettingsRequest = {};
    const initial = toDraft(settings);
    if (draft.defaultTtlSeconds !== initial.defaultTtlSeconds) patch.defaultTtlSeconds = Number(draft.defaultTtlSeconds);
    if (draft.batchSize !== initial.batchSize) patch.batchSize = Number(draft.batchSize);
    if (draft.keyTimeoutMs !== initial.keyTimeoutMs) patch.keyTimeoutMs = Number(draft.keyTimeoutMs);
    if (draft.runTimeoutSeconds !== initial.runTimeoutSeconds) patch.runTimeoutSeconds = Number(draft.runTimeoutSeconds);
    if (draft.alertPercent !== initial.alertPercent) patch.alertSuccessRate = Number(draft.alertPercent) / 100;
    if (Object.keys(patch).length === 0) return setSaved(true);
    setShown(settings);
    update.mutate({ ...patch, version: settings.version }, { onSuccess: () => setSaved(true) });
  };
  const stale = isStaleEdit(update.error) ? update.error : null;
  const reapply = () => stale && update.variables && update.mutate({ ...update.variables, version: stale.current.version }, { onSuccess: () => setSaved(true) });
  const discard = () => {
    update.reset();
    setDraft(toDraft((stale?.current as SettingsView | undefined) ?? settings));
  };

  const err = (field: keyof UpdateSettingsRequest) => fieldError(update.error, field);
  const general = update.error && !stale && !(update.error instanceof ApiError && update.error.field) ? errorMessage(update.error) : undefined;
  const hint = (value: string, show: (n: number) => string) => (value.trim() !== '' && Number.isFinite(Number(value)) ? show(Number(value)) : undefined);

  return (
    <form onSubmit={submit} className="p-4" noValidate>
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-3 lg:grid-cols-5">
        <TextField
          label="Default TTL (seconds)"
          type="number"
          min={1}
          step={1}
          value={draft.defaultTtlSeconds}
          onChange={set('defaultTtlSeconds')}
          error={err('defaultTtlSeconds')}
          hint={hint(draft.defaultTtlSeconds, (n) => `${formatSeconds(n)}: for a strategy that declares no TTL (the built-in ones declare theirs)`)}
        />
        <TextField label="Batch size (keys)" type="number" min={1} step={1} value={draft.batchSize} onChange={set('batchSize')} error={err('batchSize')} hint="keys read and written together" />
        <TextField label="Key timeout (ms)" type="number" min={10} step={1} value={draft.keyTimeoutMs} onChange={set('keyTimeoutMs')} error={err('keyTimeoutMs')} hint={hint(draft.keyTimeoutMs, formatDuration)} />
        <TextField
          label="Run timeout (seconds)"
          type="number"
          min={10}
          max={86400}
          step={1}
          value={draft.runTimeoutSeconds}
          onChange={set('runTimeoutSeconds')}
          error={err('runTimeoutSeconds')}
          hint={hint(draft.runTimeoutSeconds, (n) => `${formatSeconds(n)}: a run still going after this long is stopped and fails`)}
        />
        <TextField label="Alert below (% warmed)" type="number" min={0} max={100} step={0.1} value={draft.alertPercent} onChange={set('alertPercent')} error={err('alertSuccessRate')} hint="a banner when a strategy’s last run is below" />
      </div>
      {stale ? (
        <div className="mt-4">
          <StaleEditNotice shown={shown} current={stale.current} fields={SETTINGS_FIELDS} busy={update.isPending} onReapply={reapply} onDiscard={discard} />
        </div>
      ) : null}
      <FormFooter className="mt-4" error={general} saved={saved} busy={update.isPending} submitLabel="Save defaults" />
    </form>
  );
}

export function ReadOnly({ label, value }: { label: string; value: React.ReactNode }) {
  return (
    <div>
      <dt className="text-xs text-muted">{label}</dt>
      <dd className="mt-0.5 font-medium tabular-nums">{value}</dd>
    </div>
  );
}
