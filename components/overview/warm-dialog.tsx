'use client';

import { useEffect, useId, useRef, useState } from 'react';
import type { GovernorProfile } from '@/lib/api/governor';
import type { Scope } from '@/lib/api/runs';
import { formatCount, humanize } from '@/lib/ui/format';
import { blackoutRefusal, errorMessage } from '../api/api-fetch';
import { useRunEstimateQuery } from '../api/effect';
import { type StartedRun, useRetryRunMutation, useStartRunMutation } from '../api/runs';
import { EstimateTable } from '../effect/estimate-table';
import { GovernorProfileOptions } from '../runs/governor-profile-options';
import { Button } from '../ui/button';
import { SelectField } from '../ui/field';
import { EmptyState, QueryState } from '../ui/state-panel';

/** What a manual trigger would start: a scope (Warm now, Warm all, a context) or a retry of a run's failed keys. */
export type RunDialogTarget = { kind: 'scope'; scope: Scope } | { kind: 'retry'; runId: string; keys: number; strategies: string[] };

function title(target: RunDialogTarget): string {
  if (target.kind === 'retry') return `Retry ${target.keys === 1 ? 'the failed key' : `${formatCount(target.keys)} failed keys`}?`;
  const { scope } = target;
  if ('all' in scope) return 'Warm all strategies?';
  if ('tags' in scope) return `Warm ${scope.tags.join(' and ')}?`;
  return `Warm ${scope.strategies.map(humanize).join(', ')}?`;
}

function startLabel(target: RunDialogTarget, dryRun: boolean, blackout: boolean): string {
  if (dryRun) return 'Start dry run';
  if (blackout) return 'Start anyway';
  if (target.kind === 'retry') return target.keys === 1 ? 'Retry the failed key' : `Retry ${formatCount(target.keys)} failed keys`;
  return 'Start warmup';
}

/**
 * The one confirmation before every manual run (Warm now, Warm all, a context, Retry failed keys):
 * what the run would take (for a scope, the estimate of exactly the run POST /api/runs would
 * start; for a retry, its failed keys), and the choices a schedule has: a dry run (count and
 * estimate, write nothing), only missing keys (skip keys still fresh in the cache) and the load
 * governor's profile. Inside a schedule's blackout window the server refuses (409 in_blackout):
 * the reason is shown and Start becomes the confirmation. A modal
 * <dialog>: focus stays inside, Escape cancels; a refusal (409 busy) shows in words.
 */
export function WarmDialog({ target, onStarted, onClose }: { target: RunDialogTarget; onStarted: (run: StartedRun) => void; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const headingId = useId();
  const [dryRun, setDryRun] = useState(false);
  const [onlyMissing, setOnlyMissing] = useState(false);
  const [profile, setProfile] = useState<GovernorProfile>('fixed');
  const scope = target.kind === 'scope' ? target.scope : { strategies: target.strategies };
  const estimate = useRunEstimateQuery({ scope }, target.kind === 'scope');
  const start = useStartRunMutation();
  const retry = useRetryRunMutation();
  const mutation = target.kind === 'retry' ? retry : start;
  const nothing = target.kind === 'scope' && estimate.data !== undefined && estimate.data.strategies.length === 0;
  const blackout = start.isError ? blackoutRefusal(start.error) : null;

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);

  const options = { ...(dryRun ? { dryRun: true } : {}), ...(onlyMissing ? { onlyMissing: true } : {}) };
  const onSuccess = (run: StartedRun) => {
    onStarted(run);
    ref.current?.close();
  };
  const submit = () =>
    target.kind === 'retry'
      ? retry.mutate({ id: target.runId, ...options }, { onSuccess })
      : start.mutate({ scope: target.scope, profile, ...options, ...(blackout ? { confirmBlackout: true } : {}) }, { onSuccess });

  return (
    <dialog
      ref={ref}
      onClose={onClose}
      aria-labelledby={headingId}
      data-testid="warm-dialog"
      className="m-auto w-[56rem] max-w-[calc(100vw-2rem)] rounded-lg border border-border bg-panel p-0 text-text shadow-xl backdrop:bg-black/50"
    >
      <div className="border-b border-border px-4 py-3">
        <h2 id={headingId} className="text-base font-semibold">
          {title(target)}
        </h2>
        <p className="mt-0.5 text-xs text-muted">
          {target.kind === 'retry'
            ? `A new run warms exactly the keys that failed in run ${target.runId.slice(0, 8)}, of ${target.strategies.map(humanize).join(', ')}.`
            : 'What this run would take, estimated now from the shop’s data, the strategies’ last runs and the cache.'}
        </p>
      </div>
      <div className="max-h-[55vh] overflow-auto">
        {target.kind === 'retry' ? (
          <p className="px-4 py-3 text-sm" data-testid="retry-keys">
            <span className="font-semibold tabular-nums">{formatCount(target.keys)}</span> {target.keys === 1 ? 'key' : 'keys'} to warm again
          </p>
        ) : (
          <QueryState
            query={estimate}
            what="the estimate"
            loadingRows={4}
            isEmpty={(e) => e.strategies.length === 0}
            empty={<EmptyState>No enabled strategy in this scope: there is nothing to warm.</EmptyState>}
          >
            {(e) => <EstimateTable estimate={e} />}
          </QueryState>
        )}
      </div>
      <fieldset className="space-y-1.5 border-t border-border px-4 py-3 text-sm">
        <legend className="sr-only">Options</legend>
        <label className="flex items-start gap-2">
          <input type="checkbox" className="mt-0.5" checked={dryRun} onChange={(e) => setDryRun(e.target.checked)} />
          <span>
            Dry run <span className="text-xs text-muted">— list and count the keys and estimate a real run; write nothing to the cache</span>
          </span>
        </label>
        <label className="flex items-start gap-2">
          <input type="checkbox" className="mt-0.5" checked={onlyMissing} onChange={(e) => setOnlyMissing(e.target.checked)} />
          <span>
            Only missing keys <span className="text-xs text-muted">— skip keys still fresh in the cache (the work is at most the estimate)</span>
          </span>
        </label>
        {target.kind === 'scope' ? (
          <SelectField label="Load governor" value={profile} onChange={(e) => setProfile(e.target.value as GovernorProfile)} className="max-w-sm pt-1" data-testid="warm-profile">
            <GovernorProfileOptions />
          </SelectField>
        ) : null}
      </fieldset>
      <div className="flex flex-wrap items-center justify-end gap-2 border-t border-border px-4 py-3">
        {blackout ? (
          <p role="alert" className="mr-auto text-xs text-warn">
            {blackout}. Start anyway?
          </p>
        ) : mutation.isError ? (
          <p role="alert" className="mr-auto text-xs text-bad">
            {errorMessage(mutation.error)}
          </p>
        ) : null}
        <Button onClick={() => ref.current?.close()}>Cancel</Button>
        <Button variant="primary" data-mutates busy={mutation.isPending} disabled={nothing} onClick={submit}>
          {startLabel(target, dryRun, blackout !== null)}
        </Button>
      </div>
    </dialog>
  );
}
