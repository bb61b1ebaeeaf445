'use client';

import { useState } from 'react';
import type { Scope } from '@/lib/api/runs';
import type { StartedRun } from '../api/runs';
import { Button, type ButtonProps } from '../ui/button';
import { WarmDialog } from './warm-dialog';

/**
 * Warms a scope (one strategy, a context's, or all of them) after the one confirmation every
 * manual run gets: what the run would take (keys, expected duration, cache memory) and the
 * options dry run and only missing. The run then appears among the live runs (through
 * `onStarted`); a refusal shows in words in the dialog.
 */
export function WarmButton({ scope, onStarted, children, ...button }: Omit<ButtonProps, 'onClick'> & { scope: Scope; onStarted: (run: StartedRun) => void }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button {...button} data-mutates aria-haspopup="dialog" onClick={() => setOpen(true)}>
        {children}
      </Button>
      {open ? <WarmDialog target={{ kind: 'scope', scope }} onStarted={onStarted} onClose={() => setOpen(false)} /> : null}
    </>
  );
}
