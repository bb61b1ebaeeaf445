import type { ReactNode } from 'react';

/**
 * A table wider than the screen scrolls sideways inside its panel instead of widening the page
 * (a phone is 390 px wide; most tables are not). Focusable so a keyboard can scroll it too;
 * positioned, so the screen-reader-only labels inside (absolute) do not widen the page from it.
 */
export function TableScroll({ children, label }: { children: ReactNode; label?: string }) {
  return (
    <div className="relative overflow-x-auto" tabIndex={0} role={label ? 'region' : undefined} aria-label={label}>
      {children}
    </div>
  );
}
