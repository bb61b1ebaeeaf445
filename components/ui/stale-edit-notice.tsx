'use client';

import { Button } from './button';

/** A field an operator may have edited: its label, and how its value reads. */
export type StaleField = { key: string; label: string; format?: (value: unknown) => string };

const show = (value: unknown): string => (value === null || value === undefined || value === '' ? 'default' : typeof value === 'object' ? JSON.stringify(value) : String(value));
const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * An edit refused with 412: someone changed the row after this page showed it. Says who, and
 * which fields moved from what was shown to what is stored now, then lets the operator apply
 * their change again on top of the current row, or drop it and keep what is stored.
 */
export function StaleEditNotice({
  shown,
  current,
  fields,
  onReapply,
  onDiscard,
  busy,
}: {
  shown: Record<string, unknown>;
  current: Record<string, unknown>;
  fields: StaleField[];
  onReapply: () => void;
  onDiscard: () => void;
  busy?: boolean;
}) {
  const changed = fields.filter((f) => !same(shown[f.key], current[f.key]));
  const by = typeof current.updatedBy === 'string' ? current.updatedBy : 'someone else';
  return (
    <div role="alert" className="space-y-1.5 rounded-md border border-warn/50 bg-warn/10 px-3 py-2 text-sm text-text">
      <p className="font-medium">Changed by {by} while you were editing: your change was not saved.</p>
      {changed.length ? (
        <ul className="list-disc pl-5 text-xs text-muted">
          {changed.map((f) => (
            <li key={f.key}>
              {f.label}: <span className="font-mono">{(f.format ?? show)(shown[f.key])}</span> → <span className="font-mono text-text">{(f.format ?? show)(current[f.key])}</span>
            </li>
          ))}
        </ul>
      ) : (
        <p className="text-xs text-muted">None of the fields shown here changed (another setting did).</p>
      )}
      <div className="flex flex-wrap gap-2 pt-1">
        <Button size="sm" variant="primary" data-mutates busy={busy} onClick={onReapply}>
          Apply my change again
        </Button>
        <Button size="sm" variant="ghost" onClick={onDiscard}>
          Keep theirs
        </Button>
      </div>
    </div>
  );
}
