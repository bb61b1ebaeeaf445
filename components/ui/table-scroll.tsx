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

/*
 * The actions column of a table in a TableScroll: pinned to its right edge, so on a phone the
 * table scrolls sideways under it and the row's buttons stay in view. The panel's background keeps
 * the cells scrolling beneath it from showing through.
 */
const PINNED = 'sticky right-0 bg-panel';

/** The head of the pinned actions column (its label is for screen readers only). */
export function ActionsHeader() {
  return (
    <th scope="col" className={`${PINNED} px-3 py-2 text-left text-xs font-medium text-muted`}>
      <span className="sr-only">Actions</span>
    </th>
  );
}

/** A row's cell in the pinned actions column; its buttons line up at the right. */
export function ActionsCell({ children }: { children?: ReactNode }) {
  return <td className={`${PINNED} px-3 py-2 text-right`}>{children}</td>;
}
