'use client';

import type { Scope } from '@/lib/api/runs';
import { errorMessage } from '../api/api-fetch';
import { type StartedRun, useStartRunMutation } from '../api/runs';
import { Button, type ButtonProps } from '../ui/button';

/** Starting a run from a button: pending while asked, the refusal's words when refused. */
export function useWarm(onStarted: (run: StartedRun) => void) {
  const start = useStartRunMutation();
  return {
    warm: (scope: Scope) => start.mutate({ scope }, { onSuccess: onStarted }),
    pending: start.isPending,
    error: start.isError ? errorMessage(start.error) : null,
  };
}

/**
 * Starts a run for a scope. Its outcome shows where it was asked for: the run appears among the
 * live runs (through `onStarted`), a refusal (a busy or disabled strategy) in words beside the button.
 */
export function WarmButton({ scope, onStarted, children, ...button }: Omit<ButtonProps, 'onClick'> & { scope: Scope; onStarted: (run: StartedRun) => void }) {
  const { warm, pending, error } = useWarm(onStarted);
  return (
    <span className="inline-flex items-center gap-2">
      {error ? (
        <span role="alert" className="max-w-96 text-right text-xs text-bad">
          {error}
        </span>
      ) : null}
      <Button {...button} data-mutates busy={pending} onClick={() => warm(scope)}>
        {children}
      </Button>
    </span>
  );
}
