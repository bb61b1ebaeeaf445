'use client';

import { type FormEvent, useState } from 'react';
import type { StrategyView, UpdateStrategyRequest } from '@/lib/api/strategies';
import { formatSeconds, humanize } from '@/lib/ui/format';
import { optionLabel } from '@/lib/ui/labels';
import { ApiError, errorMessage, fieldError, isStaleEdit } from '../api/api-fetch';
import { useUpdateStrategyMutation } from '../api/strategies';
import { StaleEditNotice, type StaleField } from '../ui/stale-edit-notice';
import { Button } from '../ui/button';
import { LocalTime } from '../ui/local-time';

type Draft = { priority: string; ttlSeconds: string; enabled: boolean; rewarmOnChange: boolean; options: Record<string, string | boolean> };

const INPUT = 'h-7 w-full rounded-md border border-border bg-bg px-2 text-sm tabular-nums aria-[invalid=true]:border-bad';

function toDraft(s: StrategyView): Draft {
  const options: Draft['options'] = {};
  for (const [key, value] of Object.entries(s.options)) options[key] = typeof value === 'boolean' ? value : String(value ?? '');
  return { priority: String(s.priority), ttlSeconds: String(s.ttlSeconds), enabled: s.enabled, rewarmOnChange: s.rewarmOnChange, options };
}

/**
 * One strategy's priority, TTL, enabled flag and its own settings (fields built from what the
 * strategy declares, typed by their defaults), saved together; errors sit by their field.
 */
export function StrategySettingsRow({ strategy }: { strategy: StrategyView }) {
  const update = useUpdateStrategyMutation();
  // The strategy as it was shown when the edit was sent: a 412 says what changed since.
  const [shown, setShown] = useState<StrategyView>(strategy);
  const [draft, setDraft] = useState(() => toDraft(strategy));
  const [saved, setSaved] = useState(false);
  const initial = toDraft(strategy);
  const dirty = JSON.stringify(draft) !== JSON.stringify(initial);
  const id = `strategy-${strategy.name}`;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const patch: UpdateStrategyRequest = {};
    if (draft.priority !== initial.priority) patch.priority = Number(draft.priority);
    if (draft.ttlSeconds !== initial.ttlSeconds) patch.ttlSeconds = Number(draft.ttlSeconds);
    if (draft.enabled !== initial.enabled) patch.enabled = draft.enabled;
    if (draft.rewarmOnChange !== initial.rewarmOnChange) patch.rewarmOnChange = draft.rewarmOnChange;
    const options: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(draft.options)) {
      if (value === initial.options[key]) continue;
      options[key] = typeof value === 'boolean' ? value : typeof strategy.defaults.options[key] === 'number' ? Number(value) : value;
    }
    if (Object.keys(options).length) patch.options = options;
    if (Object.keys(patch).length === 0) return;
    setShown(strategy);
    update.mutate({ name: strategy.name, patch, version: strategy.version }, { onSuccess: () => setSaved(true) });
  };
  const stale = isStaleEdit(update.error) ? update.error : null;
  const reapply = () => stale && update.variables && update.mutate({ ...update.variables, version: stale.current.version }, { onSuccess: () => setSaved(true) });
  const discard = () => {
    update.reset();
    setDraft(toDraft(strategy));
  };

  const err = (field: string) => fieldError(update.error, field);
  const general = update.error && !stale && !(update.error instanceof ApiError && update.error.field) ? errorMessage(update.error) : undefined;
  const change = (next: Partial<Draft>) => {
    setSaved(false);
    setDraft({ ...draft, ...next });
  };

  return (
    <form onSubmit={submit} className="grid grid-cols-2 items-start gap-4 px-4 py-3 sm:grid-cols-4 xl:grid-cols-[12rem_6rem_8rem_5rem_7rem_1fr_auto]" aria-labelledby={`${id}-name`} noValidate>
      <div className="col-span-2 sm:col-span-4 xl:col-span-1">
        <div id={`${id}-name`} className="font-medium">
          {humanize(strategy.name)}
        </div>
        <div className="text-xs text-muted">
          {strategy.context} · {strategy.updatedBy ? <>changed by {strategy.updatedBy}, <LocalTime iso={strategy.updatedAt} relative /></> : 'defaults'}
        </div>
      </div>
      <Cell label="Priority" id={`${id}-priority`} error={err('priority')} hint={`default ${strategy.defaults.priority}`}>
        <input id={`${id}-priority`} type="number" min={0} max={1000} step={1} className={INPUT} value={draft.priority} onChange={(e) => change({ priority: e.target.value })} aria-invalid={err('priority') ? true : undefined} />
      </Cell>
      <Cell label="TTL (s)" id={`${id}-ttl`} error={err('ttlSeconds')} hint={Number(draft.ttlSeconds) > 0 ? formatSeconds(Number(draft.ttlSeconds)) : undefined}>
        <input id={`${id}-ttl`} type="number" min={1} step={1} className={INPUT} value={draft.ttlSeconds} onChange={(e) => change({ ttlSeconds: e.target.value })} aria-invalid={err('ttlSeconds') ? true : undefined} />
      </Cell>
      <Cell label="Enabled" id={`${id}-enabled`} error={err('enabled')}>
        <input id={`${id}-enabled`} type="checkbox" className="mt-1.5 size-4 accent-[var(--accent)]" checked={draft.enabled} onChange={(e) => change({ enabled: e.target.checked })} />
      </Cell>
      <Cell label="Re-warm on change" id={`${id}-rewarm`} error={err('rewarmOnChange')} hint={draft.rewarmOnChange ? 'keys follow the rows' : 'until TTL or next run'}>
        <input id={`${id}-rewarm`} type="checkbox" className="mt-1.5 size-4 accent-[var(--accent)]" checked={draft.rewarmOnChange} onChange={(e) => change({ rewarmOnChange: e.target.checked })} />
      </Cell>
      <div className="col-span-2 flex flex-wrap gap-3 sm:col-span-3 xl:col-span-1">
        {Object.keys(draft.options).length === 0 ? <p className="pt-5 text-xs text-muted">No settings of its own.</p> : null}
        {Object.entries(draft.options).map(([key, value]) => (
          <Cell key={key} label={optionLabel(key)} id={`${id}-opt-${key}`} error={err(`options.${key}`)} hint={`default ${String(strategy.defaults.options[key])}`} className="w-28">
            {typeof value === 'boolean' ? (
              <input id={`${id}-opt-${key}`} type="checkbox" className="mt-1.5 size-4 accent-[var(--accent)]" checked={value} onChange={(e) => change({ options: { ...draft.options, [key]: e.target.checked } })} />
            ) : (
              <input
                id={`${id}-opt-${key}`}
                type={typeof strategy.defaults.options[key] === 'number' ? 'number' : 'text'}
                className={INPUT}
                value={value}
                onChange={(e) => change({ options: { ...draft.options, [key]: e.target.value } })}
                aria-invalid={err(`options.${key}`) ? true : undefined}
              />
            )}
          </Cell>
        ))}
      </div>
      <div className="col-span-2 flex flex-col items-end gap-1 pt-4 sm:col-span-1">
        <Button type="submit" size="sm" variant={dirty ? 'primary' : 'secondary'} disabled={!dirty} busy={update.isPending} data-mutates aria-label={`Save ${humanize(strategy.name)}`}>
          Save
        </Button>
        {saved && !dirty ? (
          <span role="status" className="text-xs text-ok">
            Saved
          </span>
        ) : null}
        {general ? (
          <span role="alert" className="max-w-48 text-right text-xs text-bad">
            {general}
          </span>
        ) : null}
      </div>
      {stale ? (
        <div className="col-span-full">
          <StaleEditNotice shown={shown} current={stale.current} fields={STRATEGY_FIELDS} busy={update.isPending} onReapply={reapply} onDiscard={discard} />
        </div>
      ) : null}
    </form>
  );
}

const STRATEGY_FIELDS: StaleField[] = [
  { key: 'priority', label: 'Priority' },
  { key: 'ttlSeconds', label: 'TTL (s)' },
  { key: 'enabled', label: 'Enabled' },
  { key: 'rewarmOnChange', label: 'Re-warm on change' },
  { key: 'options', label: 'Its own settings' },
];

function Cell({ label, id, error, hint, children, className = '' }: { label: string; id: string; error?: string; hint?: string; children: React.ReactNode; className?: string }) {
  return (
    <div className={className}>
      <label htmlFor={id} className="mb-1 block text-xs text-muted">
        {label}
      </label>
      {children}
      {error ? (
        <p role="alert" className="mt-1 text-xs text-bad">
          {error}
        </p>
      ) : hint ? (
        <p className="mt-1 text-xs text-muted">{hint}</p>
      ) : null}
    </div>
  );
}
