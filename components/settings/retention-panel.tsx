'use client';

import { type FormEvent, useState } from 'react';
import type { RetentionPolicyView, RetentionView } from '@/lib/api/retention';
import { formatBytes, formatCount, formatDuration } from '@/lib/ui/format';
import { ApiError, errorMessage, fieldError } from '../api/api-fetch';
import { useRetentionQuery, useUpdateRetentionMutation } from '../api/retention';
import { useHasRole } from '../shell/role';
import { FormFooter } from '../ui/form-footer';
import { LocalTime } from '../ui/local-time';
import { Panel } from '../ui/panel';
import { QueryState } from '../ui/state-panel';

const HEAD = 'px-3 py-2 text-left text-xs font-medium text-muted';

/** Retention (admins): how long each table keeps its rows, what they hold now, and the last prune. */
export function RetentionPanel() {
  const isAdmin = useHasRole('admin');
  const retention = useRetentionQuery({ enabled: isAdmin });
  if (!isAdmin) return null;
  return (
    <Panel title="Retention" id="retention">
      <QueryState query={retention} what="the retention policies" loadingRows={6}>
        {(view) => <RetentionForm view={view} />}
      </QueryState>
    </Panel>
  );
}

function RetentionForm({ view }: { view: RetentionView }) {
  const update = useUpdateRetentionMutation();
  const initial = Object.fromEntries(view.policies.map((p) => [p.policy, String(p.days)]));
  const [draft, setDraft] = useState<Record<string, string>>(initial);
  const [saved, setSaved] = useState(false);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const policies: Record<string, number> = {};
    for (const p of view.policies) if (draft[p.policy] !== String(p.days)) policies[p.policy] = Number(draft[p.policy]);
    if (Object.keys(policies).length === 0) return setSaved(true);
    update.mutate({ policies }, { onSuccess: () => setSaved(true) });
  };
  const general = update.error && !(update.error instanceof ApiError && update.error.field) ? errorMessage(update.error) : undefined;

  return (
    <form onSubmit={submit} noValidate>
      <div className="overflow-x-auto">
        <table className="w-full min-w-[44rem] text-sm">
          <thead className="border-b border-border">
            <tr>
              <th scope="col" className={HEAD}>
                Policy
              </th>
              <th scope="col" className={HEAD}>
                Keep (days)
              </th>
              <th scope="col" className={HEAD}>
                Table
              </th>
              <th scope="col" className={`${HEAD} text-right`}>
                Rows
              </th>
              <th scope="col" className={`${HEAD} text-right`}>
                Size
              </th>
              <th scope="col" className={HEAD}>
                Oldest kept
              </th>
            </tr>
          </thead>
          <tbody>
            {view.policies.map((p) => (
              <PolicyRows
                key={p.policy}
                policy={p}
                value={draft[p.policy] ?? ''}
                error={fieldError(update.error, `policies.${p.policy}`)}
                onChange={(value) => {
                  setSaved(false);
                  if (update.isError) update.reset();
                  setDraft({ ...draft, [p.policy]: value });
                }}
              />
            ))}
          </tbody>
        </table>
      </div>
      <FormFooter className="border-t border-border p-4" aside={<LastPrune view={view} />} error={general} saved={saved} busy={update.isPending} submitLabel="Save retention" />
    </form>
  );
}

function PolicyRows({ policy, value, error, onChange }: { policy: RetentionPolicyView; value: string; error?: string; onChange: (value: string) => void }) {
  const inputId = `retention-${policy.policy}`;
  return (
    <>
      {policy.tables.map((table, index) => (
        <tr key={table.table} className={index === policy.tables.length - 1 ? 'border-b border-border last:border-0' : ''}>
          {index === 0 ? (
            <>
              <td className="px-3 py-2 align-top" rowSpan={policy.tables.length}>
                <label htmlFor={inputId} className="font-medium">
                  {policy.label}
                </label>
                <p className="max-w-[22rem] text-xs text-muted">
                  {policy.description}
                  {policy.days !== policy.defaultDays ? ` Default ${policy.defaultDays} days.` : ''}
                </p>
              </td>
              <td className="px-3 py-2 align-top" rowSpan={policy.tables.length}>
                <input
                  id={inputId}
                  type="number"
                  min={policy.minDays}
                  max={policy.maxDays}
                  step={1}
                  value={value}
                  onChange={(e) => onChange(e.target.value)}
                  aria-invalid={error ? true : undefined}
                  aria-describedby={error ? `${inputId}-error` : undefined}
                  className="h-8 w-24 rounded-md border border-border bg-bg px-2 text-sm text-text tabular-nums focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-accent aria-[invalid=true]:border-bad"
                />
                {error ? (
                  <p id={`${inputId}-error`} role="alert" className="mt-1 max-w-[12rem] text-xs text-bad">
                    {error}
                  </p>
                ) : null}
              </td>
            </>
          ) : null}
          <td className="px-3 py-2 font-mono text-xs">{table.table}</td>
          <td className="px-3 py-2 text-right text-xs tabular-nums">
            {table.rows === null ? <span className="text-muted">—</span> : `${table.rowsEstimated ? '≈ ' : ''}${formatCount(table.rows)}`}
          </td>
          <td className="px-3 py-2 text-right text-xs tabular-nums">{table.bytes === null ? <span className="text-muted">—</span> : formatBytes(table.bytes)}</td>
          <td className="px-3 py-2 text-xs">{table.oldestAt ? <LocalTime iso={table.oldestAt} relative /> : <span className="text-muted">none</span>}</td>
        </tr>
      ))}
    </>
  );
}

function LastPrune({ view }: { view: RetentionView }) {
  const last = view.lastPrune;
  const removed = Object.entries(last.removed).filter(([, n]) => n > 0);
  return (
    <div className="text-xs text-muted" data-testid="last-prune">
      {last.finishedAt ? (
        <>
          Last prune <LocalTime iso={last.finishedAt} relative /> {last.by ? `by ${last.by}` : ''} in {formatDuration(last.durationMs)}:{' '}
          {removed.length ? removed.map(([table, n]) => `${formatCount(n)} ${table}`).join(', ') : 'nothing to remove'}
          {last.rolledUpDays ? `; ${formatCount(last.rolledUpDays)} days rolled up` : ''}.
          {last.error ? <span className="text-bad"> It failed: {last.error}</span> : null}
        </>
      ) : (
        'No prune has run yet.'
      )}{' '}
      {view.intervalMinutes > 0 ? `Every ${formatCount(view.intervalMinutes)} minutes` : 'Pruning is off (KILN_RETENTION_INTERVAL_MINUTES=0)'}; days in {view.timezone}.
      {view.rawRunsFrom ? (
        <>
          {' '}
          Run history before <LocalTime iso={view.rawRunsFrom} /> comes from daily rollups.
        </>
      ) : null}
    </div>
  );
}
