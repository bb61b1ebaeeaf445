'use client';

import { type FormEvent, useState } from 'react';
import type { Scope } from '@/lib/api/runs';
import type { ScheduleView } from '@/lib/api/schedules';
import type { StrategyView } from '@/lib/api/strategies';
import { browserTimeZone, timeZones } from '@/lib/ui/wall-time';
import { ApiError, errorMessage, fieldError } from '../api/api-fetch';
import { type MisfirePolicy, type ScheduleInput, useCreateScheduleMutation, useSchedulePreviewQuery, useUpdateScheduleMutation } from '../api/schedules';
import { Button } from '../ui/button';
import { CheckboxField, SelectField, TextField } from '../ui/field';
import { useDebounced } from '../ui/use-debounced';
import { SchedulePreview } from './schedule-preview';
import { ScopePicker } from './scope-picker';

type Draft = { name: string; cron: string; timezone: string; scope: Scope; concurrency: string; onlyMissing: boolean; enabled: boolean; misfirePolicy: MisfirePolicy; misfireGraceSeconds: string };

function toDraft(s: ScheduleView | null, timezone: string): Draft {
  return {
    name: s?.name ?? '',
    cron: s?.cron ?? '',
    timezone: s?.timezone ?? timezone,
    scope: s?.scope ?? { all: true },
    concurrency: s?.concurrency ? String(s.concurrency) : '',
    onlyMissing: s?.onlyMissing ?? false,
    enabled: s?.enabled ?? true,
    misfirePolicy: s?.misfirePolicy ?? 'run_once',
    misfireGraceSeconds: String(s?.misfireGraceSeconds ?? 600),
  };
}

/**
 * Create or edit a schedule. The expression and zone are checked as they are typed, by the
 * server's own rule (POST /api/schedules/preview): its description and next five fire times show
 * beside the form, or the error beside the field at fault. Saving is checked again by the server.
 */
export function ScheduleForm({
  schedule,
  template,
  strategies,
  defaultTimezone,
  onDone,
}: {
  schedule: ScheduleView | null;
  /** A new schedule's starting values (a suggestion that closes coverage gaps). */
  template?: Partial<Pick<Draft, 'name' | 'cron' | 'scope' | 'onlyMissing'>>;
  strategies: StrategyView[];
  defaultTimezone: string;
  onDone: (saved: ScheduleView | null) => void;
}) {
  const [draft, setDraft] = useState(() => ({ ...toDraft(schedule, defaultTimezone), ...(schedule ? {} : template) }));
  const create = useCreateScheduleMutation();
  const update = useUpdateScheduleMutation();
  const save = schedule ? update : create;
  const typed = useDebounced({ cron: draft.cron.trim(), timezone: draft.timezone.trim() }, 350);
  const preview = useSchedulePreviewQuery(typed, typed.cron !== '' && typed.timezone !== '');
  const zones = timeZones();
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => {
    // A refusal is about what was sent: once the fields change, the live check speaks instead.
    if (save.isError) save.reset();
    setDraft((d) => ({ ...d, [key]: value }));
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const input: ScheduleInput = {
      name: draft.name,
      cron: draft.cron.trim(),
      timezone: draft.timezone.trim(),
      scope: draft.scope,
      concurrency: draft.concurrency.trim() === '' ? null : Number(draft.concurrency),
      onlyMissing: draft.onlyMissing,
      misfirePolicy: draft.misfirePolicy,
      misfireGraceSeconds: Number(draft.misfireGraceSeconds),
      ...(schedule ? {} : { enabled: draft.enabled }),
    };
    const done = { onSuccess: (saved: ScheduleView) => onDone(saved) };
    if (schedule) update.mutate({ id: schedule.id, patch: input }, done);
    else create.mutate(input, done);
  };

  // The field at fault: from saving when it failed, else from the live check of the expression.
  const err = (field: string) => fieldError(save.error, field) ?? (field === 'cron' || field === 'timezone' ? fieldError(preview.error, field) : undefined);
  const general = save.error && !(save.error instanceof ApiError && save.error.field) ? errorMessage(save.error) : undefined;
  const previewStale = preview.isPlaceholderData || typed.cron !== draft.cron.trim() || typed.timezone !== draft.timezone.trim();

  return (
    <form onSubmit={submit} className="grid grid-cols-[1fr_22rem] gap-6 p-4" aria-label={schedule ? `Edit ${schedule.name}` : 'New schedule'} noValidate>
      <div className="space-y-3">
        <div className="grid grid-cols-2 gap-3">
          <TextField label="Name" value={draft.name} onChange={(e) => set('name', e.target.value)} error={err('name')} />
          <TextField label="Cron expression (minute hour day month weekday)" value={draft.cron} onChange={(e) => set('cron', e.target.value)} error={err('cron')} inputClassName="font-mono" spellCheck={false} autoComplete="off" />
        </div>
        <div className="grid grid-cols-3 gap-3">
          <TextField label="Time zone" value={draft.timezone} onChange={(e) => set('timezone', e.target.value)} error={err('timezone')} list="kiln-time-zones" spellCheck={false} autoComplete="off" />
          <datalist id="kiln-time-zones">
            {zones.map((z) => (
              <option key={z} value={z} />
            ))}
          </datalist>
          <TextField label="Concurrency (empty: the global setting)" type="number" min={1} max={256} value={draft.concurrency} onChange={(e) => set('concurrency', e.target.value)} error={err('concurrency')} />
          <SelectField label="A slot missed while down" value={draft.misfirePolicy} onChange={(e) => set('misfirePolicy', e.target.value as MisfirePolicy)} error={err('misfirePolicy')}>
            <option value="run_once">runs once on return</option>
            <option value="skip">is skipped</option>
          </SelectField>
        </div>
        <ScopePicker scope={draft.scope} onChange={(scope) => set('scope', scope)} strategies={strategies} error={err('scope')} />
        <div className="grid grid-cols-3 items-start gap-3">
          <TextField label="Grace for a late slot (seconds)" type="number" min={0} max={86400} value={draft.misfireGraceSeconds} onChange={(e) => set('misfireGraceSeconds', e.target.value)} error={err('misfireGraceSeconds')} />
          <CheckboxField label="Only keys missing from the cache" checked={draft.onlyMissing} onChange={(e) => set('onlyMissing', e.target.checked)} className="pt-5" />
          {schedule ? null : <CheckboxField label="Active from now" hint="unticked: saved paused" checked={draft.enabled} onChange={(e) => set('enabled', e.target.checked)} className="pt-5" />}
        </div>
        <div className="flex items-center justify-end gap-3 pt-1">
          {general ? (
            <p role="alert" className="text-sm text-bad">
              {general}
            </p>
          ) : null}
          <Button variant="ghost" onClick={() => onDone(null)}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" busy={save.isPending} data-mutates>
            {schedule ? 'Save changes' : 'Create schedule'}
          </Button>
        </div>
      </div>
      <div>
        {preview.data && !preview.isError ? (
          <SchedulePreview preview={preview.data} browserZone={browserTimeZone()} stale={previewStale} />
        ) : preview.isError && !(preview.error instanceof ApiError && preview.error.field) ? (
          <p role="alert" className="text-sm text-bad">
            The expression could not be checked: {errorMessage(preview.error)}
          </p>
        ) : (
          <p className="rounded-md border border-dashed border-border p-3 text-xs text-muted">
            {draft.cron.trim() === '' ? 'Type a cron expression: its meaning and next fire times show here.' : preview.isError ? 'Fix the expression to see when it fires.' : 'Checking…'}
          </p>
        )}
      </div>
    </form>
  );
}
