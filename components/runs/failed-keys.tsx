'use client';

import type { RunFailureItem } from '@/lib/api/runs';
import { formatCount, humanize } from '@/lib/ui/format';
import { LocalTime } from '../ui/local-time';
import { TableScroll } from '../ui/table-scroll';

const HEAD = 'px-3 py-2 text-left text-xs font-medium text-muted';

/** The keys that failed, with the error each one got (the server filters them by `search`). */
export function FailedKeysTable({ failures }: { failures: RunFailureItem[] }) {
  return (
    <div className="max-h-[28rem] overflow-auto">
      <TableScroll>
        <table className="w-full text-sm">
          <thead className="sticky top-0 border-b border-border bg-panel">
            <tr>
              <th scope="col" className={HEAD}>Strategy</th>
              <th scope="col" className={HEAD}>Key</th>
              <th scope="col" className={HEAD}>Error</th>
              <th scope="col" className={HEAD}>At</th>
            </tr>
          </thead>
          <tbody>
            {failures.map((f, i) => (
              <tr key={`${f.strategy}:${f.key}:${i}`} className="border-b border-border last:border-0 align-top">
                <td className="whitespace-nowrap px-3 py-1.5 text-xs">{humanize(f.strategy)}</td>
                <td className="px-3 py-1.5 font-mono text-xs break-all">{f.key}</td>
                <td className="px-3 py-1.5 text-xs text-bad">{f.error}</td>
                <td className="whitespace-nowrap px-3 py-1.5 text-xs text-muted">
                  <LocalTime iso={f.at} zone />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </div>
  );
}

/** "Showing 20 of 1,234 failures" with the reason when fewer are kept than happened. */
export function failuresCaption(shown: number, recorded: number, failed: number, search: string): string {
  if (search) return `${formatCount(shown)} matching “${search}” among ${formatCount(recorded)} recorded failures`;
  const kept = recorded < failed ? ` (the first ${formatCount(recorded)} of ${formatCount(failed)} are kept)` : '';
  return `${formatCount(shown)} of ${formatCount(recorded)} recorded failures${kept}`;
}
