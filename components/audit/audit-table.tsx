'use client';

import Link from 'next/link';
import { Fragment, useState } from 'react';
import type { AuditEntryView } from '@/lib/api/audit';
import { auditChangeSummary, auditTargetHref, auditTargetText } from '@/lib/ui/audit-view';
import { LocalTime } from '../ui/local-time';
import { StatusBadge } from '../ui/status-badge';
import { TableScroll } from '../ui/table-scroll';

const HEAD = 'px-3 py-2 text-left text-xs font-medium text-muted';

/** The audit log, newest first; a row says what changed, and opens to show the whole before → after and from where. */
export function AuditTable({ entries }: { entries: AuditEntryView[] }) {
  const [open, setOpen] = useState<number | null>(null);
  return (
    <TableScroll>
      <table className="w-full text-sm" data-testid="audit-table">
        <thead className="border-b border-border">
          <tr>
            <th scope="col" className={HEAD}>When</th>
            <th scope="col" className={HEAD}>Who</th>
            <th scope="col" className={HEAD}>Action</th>
            <th scope="col" className={HEAD}>Target</th>
            <th scope="col" className={HEAD}>Changed</th>
            <th scope="col" className={HEAD}>Outcome</th>
            <th scope="col" className={HEAD}>From</th>
            <th scope="col" className={HEAD}>
              <span className="sr-only">Details</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <Fragment key={e.id}>
              <tr className="border-b border-border align-top">
                <td className="whitespace-nowrap px-3 py-1.5 text-xs">
                  <LocalTime iso={e.at} zone />
                </td>
                <td className="max-w-56 truncate px-3 py-1.5 text-xs" title={e.actor}>
                  {e.actor}
                  {e.actorRole ? <span className="text-muted"> · {e.actorRole}</span> : null}
                </td>
                <td className="px-3 py-1.5 font-mono text-xs">{e.action}</td>
                <td className="max-w-64 truncate px-3 py-1.5 text-xs" title={e.target ?? ''}>
                  <AuditTarget target={e.target} />
                </td>
                <td className="max-w-80 px-3 py-1.5 text-xs text-muted">{auditChangeSummary(e) ?? '–'}</td>
                <td className="px-3 py-1.5">
                  <StatusBadge status={e.outcome} />
                </td>
                <td className="px-3 py-1.5 text-xs text-muted">{e.ip ?? '–'}</td>
                <td className="px-3 py-1.5 text-right">
                  {e.before !== null || e.after !== null || e.userAgent ? (
                    <button
                      type="button"
                      aria-expanded={open === e.id}
                      onClick={() => setOpen(open === e.id ? null : e.id)}
                      className="text-xs text-accent hover:underline"
                      aria-label={`${open === e.id ? 'Hide' : 'Show'} details of ${e.action} at ${new Date(e.at).toLocaleString('en-US')}`}
                    >
                      {open === e.id ? 'Hide' : 'Details'}
                    </button>
                  ) : null}
                </td>
              </tr>
              {open === e.id ? (
                <tr className="border-b border-border bg-subtle/50">
                  <td colSpan={8} className="px-3 py-2">
                    <div className="grid grid-cols-1 gap-4 text-xs md:grid-cols-2">
                      <Json label="Before" value={e.before} />
                      <Json label="After" value={e.after} />
                    </div>
                    {e.userAgent ? <p className="mt-2 truncate text-xs text-muted">User agent: {e.userAgent}</p> : null}
                  </td>
                </tr>
              ) : null}
            </Fragment>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}

function Json({ label, value }: { label: string; value: unknown }) {
  return (
    <div className="min-w-0">
      <p className="mb-1 font-medium text-muted">{label}</p>
      <pre className="max-h-64 overflow-auto rounded border border-border bg-panel p-2 font-mono text-xs whitespace-pre-wrap break-all">{value === null || value === undefined ? '–' : JSON.stringify(value, null, 2)}</pre>
    </div>
  );
}

function AuditTarget({ target }: { target: string | null }) {
  const href = auditTargetHref(target);
  const text = auditTargetText(target);
  return href ? (
    <Link href={href} className="text-accent hover:underline">
      {text}
    </Link>
  ) : (
    <span className="font-mono">{text}</span>
  );
}
