import type { ReactNode } from 'react';
import { Button } from './button';

/**
 * The end of a settings form: an error that belongs to no one field, "Saved" once the server took
 * the change, and the submit button, at the right; `aside` (a note about the form) at the left.
 */
export function FormFooter({ submitLabel, busy, saved, error, aside, className = '' }: { submitLabel: string; busy: boolean; saved: boolean; error?: string; aside?: ReactNode; className?: string }) {
  return (
    <div className={`flex flex-wrap items-center gap-3 ${aside ? 'justify-between' : 'justify-end'} ${className}`}>
      {aside}
      <div className="ml-auto flex flex-wrap items-center justify-end gap-3">
        {error ? (
          <p role="alert" className="text-sm text-bad">
            {error}
          </p>
        ) : null}
        {saved && !busy ? (
          <p role="status" className="text-sm text-ok">
            Saved
          </p>
        ) : null}
        <Button type="submit" variant="primary" data-mutates busy={busy}>
          {submitLabel}
        </Button>
      </div>
    </div>
  );
}
