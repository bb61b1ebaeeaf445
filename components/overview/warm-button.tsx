'use client';

import { useState } from 'react';
import type { Scope } from '@/lib/api/runs';
import { blackoutRefusal, errorMessage } from '../api/api-fetch';
import { type StartedRun, useStartRunMutation } from '../api/runs';
import { Button, type ButtonProps } from '../ui/button';
import { WarmDialog } from './warm-dialog';

/** Starting a run from a button: pending while asked, the refusal's words when refused. */
export function useWarm(onStarted: (run: StartedRun) => void) {
  const start = useStartRunMutation();
  return {
    // Inside a schedule's blackout window the server asks for a confirmation: the operator gives it, or not.
    warm: (scope: Scope) =>
      start.mutate(
        { scope },
        {
          onSuccess: onStarted,
          onError: (error) => {
            const blackout = blackoutRefusal(error);
            if (blackout && window.confirm(`${blackout}\n\nStart the run anyway?`)) start.mutate({ scope, confirmBlackout: true }, { onSuccess: onStarted });
          },
        },
      ),
    pending: start.isPending,
    error: start.isError ? errorMessage(start.error) : null,
  };
}

/**
 * Warms a scope of several strategies (all of them, or a context's) after a confirmation that
 * shows what the run would take: its keys, expected duration and cache memory. The run then
 * appears among the live runs (through `onStarted`); a refusal shows in words in the dialog.
 */
export function WarmButton({ scope, onStarted, children, ...button }: Omit<ButtonProps, 'onClick'> & { scope: Scope; onStarted: (run: StartedRun) => void }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button {...button} data-mutates aria-haspopup="dialog" onClick={() => setOpen(true)}>
        {children}
      </Button>
      {open ? <WarmDialog scope={scope} onStarted={onStarted} onClose={() => setOpen(false)} /> : null}
    </>
  );
}
