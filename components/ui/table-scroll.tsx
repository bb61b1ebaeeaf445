import type { ReactNode } from 'react';

/**
 * A table wider than the screen scrolls sideways inside its panel instead of widening the page
 * (a phone is 390 px wide; most tables are not). Focusable so a keyboard can scroll it too.
 */
export function TableScroll({ children, label }: { children: ReactNode; label?: string }) {
  return (
    <div className="overflow-x-auto" tabIndex={0} role={label ? 'region' : undefined} aria-label={label}>
      {children}
    </div>
  );
}
