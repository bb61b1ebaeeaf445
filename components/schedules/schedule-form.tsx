'use client';

import { type FormEvent, useState } from 'react';
import type { GovernorProfile } from '@/lib/api/governor';
import type { Scope } from '@/lib/api/runs';
import type { ScheduleView } from '@/lib/api/schedules';
import type { StrategyView } from '@/lib/api/strategies';
import { browserTimeZone, timeZones } from '@/lib/ui/wall-time';
import { ApiError, errorMessage, fieldError, isStaleEdit } from '../api/api-fetch';
import { type MisfirePolicy, type ScheduleInput, useCreateScheduleMutation, useSchedulePreviewQuery, useUpdateScheduleMutation } from '../api/schedules';
import { Button } from '../ui/button';
import { CheckboxField, SelectField, TextField } from '../ui/field';
import { StaleEditNotice, type StaleField } from '../ui/stale-edit-notice';
import { useDebounced } from '../ui/use-debounced';
import type { BlackoutWindow } from '@/lib/blackout';
import { BlackoutEditor } from './blackout-editor';
import { SchedulePreview } from './schedule-preview';
import { GovernorProfileOptions } from '../runs/governor-profile-options';
import { ScopePicker } from './scope-picker';

type Draft = { name: string; cron: string; timezone: string; scope: Scope; concurrency: string; onlyMissing: boolean; enabled: boolean; misfirePolicy: MisfirePolicy; misfireGraceSeconds: string; governorProfile: GovernorProfile | ''; blackoutWindows: BlackoutWindow[] };

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
    governorProfile: s?.governorProfile ?? '',
    blackoutWindows: s?.blackoutWindows ?? [],
  };
}

const EDITABLE: StaleField[] = [
  { key: 'name', label: 'Name' },
  { key: 'cron', label: 'Cron' },
  { key: 'timezone', label: 'Time zone' },
  { key: 'scope', label: 'Scope' },
  { key: 'concurrency', label: 'Concurrency' },
  { key: 'onlyMissing', label: 'Only missing keys' },
  { key: 'enabled', label: 'Active' },
  { key: 'misfirePolicy', label: 'Missed slot' },
  { key: 'misfireGraceSeconds', label: 'Grace (s)' },
];

/** The fields of `input` that differ from the schedule shown: an edit sends only those. */
function changedFields(input: ScheduleInput, shown: ScheduleView): Partial<ScheduleInput> {
  const patch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) if (JSON.stringify(value) !== JSON.stringify((shown as Record<string, unknown>)[key])) patch[key] = value;
  return patch as Partial<ScheduleInput>;
}

/**
 * Create or edit a schedule. An edit sends only the fields changed, with the version shown
 * (If-Match): when someone changed the schedule meanwhile, the form says what changed and offers
 * to apply the edit again on top of it. The expression and zone are checked as they are typed, by the
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
      governorProfile: draft.governorProfile === '' ? null : draft.governorProfile,
      blackoutWindows: draft.blackoutWindows,
      ...(schedule ? {} : { enabled: draft.enabled }),
    };
    const done = { onSuccess: (saved: ScheduleView) => onDone(saved) };
    if (!schedule) return create.mutate(input, done);
    const patch = changedFields(input, schedule);
    if (Object.keys(patch).length === 0) return onDone(schedule);
    update.mutate({ id: schedule.id, patch, version: schedule.version }, done);
  };
  const stale = schedule && isStaleEdit(update.error) ? update.error : null;
  const reapply = () => {
    if (!stale || !update.variables) return;
    update.mutate({ ...update.variables, version: stale.current.version }, { onSuccess: (saved: ScheduleView) => onDone(saved) });
  };

  // The field at fault: from saving when it failed, else from the live check of the expression.
  const err = (field: string) => fieldError(save.error, field) ?? (field === 'cron' || field === 'timezone' ? fieldError(preview.error, field) : undefined);
  const general = save.error && !stale && !(save.error instanceof ApiError && save.error.field) ? errorMessage(save.error) : undefined;
  const previewStale = preview.isPlaceholderData || typed.cron !== draft.cron.trim() || typed.timezone !== draft.timezone.trim();

  return (
    <form onSubmit={submit} className="grid grid-cols-1 gap-6 p-4 lg:grid-cols-[1fr_22rem]" aria-label={schedule ? `Edit ${schedule.name}` : 'New schedule'} noValidate>
      <div className="space-y-3">
        <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
          <TextField label="Name" value={draft.name} onChange={(e) => set('name', e.target.value)} error={err('name')} />
          <TextField label="Cron expression (minute hour day month weekday)" value={draft.cron} onChange={(e) => set('cron', e.target.value)} error={err('cron')} inputClassName="font-mono" spellCheck={false} autoComplete="off" />
        </div>
        <div className="grid grid-cols-1 gap-3 sm:grid-cols-3">
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
        <div className="grid grid-cols-1 items-start gap-3 sm:grid-cols-3">
          <TextField label="Grace for a late slot (seconds)" type="number" min={0} max={86400} value={draft.misfireGraceSeconds} onChange={(e) => set('misfireGraceSeconds', e.target.value)} error={err('misfireGraceSeconds')} />
          <CheckboxField label="Only keys missing from the cache" checked={draft.onlyMissing} onChange={(e) => set('onlyMissing', e.target.checked)} className="pt-5" />
          <SelectField label="Load governor" value={draft.governorProfile} onChange={(e) => set('governorProfile', e.target.value as GovernorProfile | '')} error={err('governorProfile')}>
            <option value="">by hour: gentle 07:00–22:00, else fixed</option>
            <GovernorProfileOptions />
          </SelectField>
          {schedule ? null : <CheckboxField label="Active from now" hint="unticked: saved paused" checked={draft.enabled} onChange={(e) => set('enabled', e.target.checked)} className="pt-5" />}
        </div>
        {stale && schedule ? (
          <StaleEditNotice shown={schedule} current={stale.current} fields={EDITABLE} busy={update.isPending} onReapply={reapply} onDiscard={() => onDone(null)} />
        ) : null}
        <BlackoutEditor windows={draft.blackoutWindows} timezone={draft.timezone.trim()} onChange={(windows) => set('blackoutWindows', windows)} error={err('blackoutWindows')} />
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
