'use client';

import { useState } from 'react';
import { Button } from './button';

/**
 * Keyset paging through an API's `nextCursor`: the cursors of the pages seen are kept, so
 * "Newer" goes back exactly. Changing the filters (the `resetKey`) starts again from the newest.
 */
export function useCursorPages(resetKey: string) {
  const [state, setState] = useState<{ key: string; stack: (string | undefined)[] }>({ key: resetKey, stack: [undefined] });
  const stack = state.key === resetKey ? state.stack : [undefined];
  return {
    cursor: stack.at(-1),
    page: stack.length,
    older: (next: string) => setState({ key: resetKey, stack: [...stack, next] }),
    newer: () => setState({ key: resetKey, stack: stack.slice(0, -1) }),
  };
}

export function CursorPager({ page, nextCursor, onOlder, onNewer, busy }: { page: number; nextCursor: string | null | undefined; onOlder: (cursor: string) => void; onNewer: () => void; busy?: boolean }) {
  if (page === 1 && !nextCursor) return null;
  return (
    <nav aria-label="Pages" className="flex items-center justify-end gap-2 border-t border-border px-4 py-2 text-xs text-muted">
      <span aria-live="polite">Page {page}</span>
      <Button size="sm" disabled={page === 1} onClick={onNewer}>
        ← Newer
      </Button>
      <Button size="sm" disabled={!nextCursor} busy={busy} onClick={() => nextCursor && onOlder(nextCursor)}>
        Older →
      </Button>
    </nav>
  );
}
