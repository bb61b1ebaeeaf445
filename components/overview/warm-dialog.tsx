'use client';

import { useEffect, useId, useRef, useState } from 'react';
import type { GovernorProfile } from '@/lib/api/governor';
import type { Scope } from '@/lib/api/runs';
import { humanize } from '@/lib/ui/format';
import { blackoutRefusal, errorMessage } from '../api/api-fetch';
import { useRunEstimateQuery } from '../api/effect';
import { type StartedRun, useStartRunMutation } from '../api/runs';
import { EstimateTable } from '../effect/estimate-table';
import { GovernorProfileOptions } from '../runs/governor-profile-options';
import { Button } from '../ui/button';
import { SelectField } from '../ui/field';
import { EmptyState, QueryState } from '../ui/state-panel';

function scopeTitle(scope: Scope): string {
  if ('all' in scope) return 'Warm all strategies?';
  if ('tags' in scope) return `Warm ${scope.tags.join(' and ')}?`;
  return `Warm ${scope.strategies.map(humanize).join(', ')}?`;
}

/**
 * The confirmation before a run of several strategies: the estimate of exactly the run the
 * button would start (POST /api/runs/estimate with the same body), then Start or Cancel. A modal
 * <dialog>: focus stays inside, Escape cancels.
 */
export function WarmDialog({ scope, onStarted, onClose }: { scope: Scope; onStarted: (run: StartedRun) => void; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const headingId = useId();
  const estimate = useRunEstimateQuery({ scope }, true);
  const start = useStartRunMutation();
  const [profile, setProfile] = useState<GovernorProfile>('fixed');
  const nothing = estimate.data !== undefined && estimate.data.strategies.length === 0;
  // Refused inside a blackout window: the reason, and Start becomes the confirmation.
  const blackout = start.isError ? blackoutRefusal(start.error) : null;

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);

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
          {scopeTitle(scope)}
        </h2>
        <p className="mt-0.5 text-xs text-muted">What this run would take, estimated now from the shop’s data, the strategies’ last runs and the cache.</p>
      </div>
      <div className="max-h-[60vh] overflow-auto">
        <QueryState
          query={estimate}
          what="the estimate"
          loadingRows={4}
          isEmpty={(e) => e.strategies.length === 0}
          empty={<EmptyState>No enabled strategy in this scope: there is nothing to warm.</EmptyState>}
        >
          {(e) => <EstimateTable estimate={e} />}
        </QueryState>
      </div>
      <div className="flex items-center justify-end gap-2 border-t border-border px-4 py-3">
        {blackout ? (
          <p role="alert" className="mr-auto text-xs text-warn">
            {blackout}. Start anyway?
          </p>
        ) : start.isError ? (
          <p role="alert" className="mr-auto text-xs text-bad">
            {errorMessage(start.error)}
          </p>
        ) : null}
        <SelectField label="Load governor" value={profile} onChange={(e) => setProfile(e.target.value as GovernorProfile)} className="mr-auto w-80" data-testid="warm-profile">
          <GovernorProfileOptions />
        </SelectField>
        <Button onClick={() => ref.current?.close()}>Cancel</Button>
        <Button
          variant="primary"
          data-mutates
          busy={start.isPending}
          disabled={nothing}
          onClick={() =>
            start.mutate(
              blackout ? { scope, profile, confirmBlackout: true } : { scope, profile },
              {
                onSuccess: (run) => {
                  onStarted(run);
                  ref.current?.close();
                },
              },
            )
          }
        >
          {blackout ? 'Start anyway' : 'Start warmup'}
        </Button>
      </div>
    </dialog>
  );
}
