import type { ReactNode } from 'react';

/** A labelled figure in a card: the label small and quiet, the value the thing to read. */
export function Stat({ label, children, tone, testId }: { label: string; children: ReactNode; tone?: 'bad' | 'ok' | 'warn'; testId?: string }) {
  const color = tone === 'bad' ? 'text-bad' : tone === 'warn' ? 'text-warn' : tone === 'ok' ? 'text-ok' : 'text-text';
  return (
    <div className="min-w-0">
      <dt className="text-xs text-muted">{label}</dt>
      <dd className={`text-sm [overflow-wrap:anywhere] font-medium tabular-nums ${color}`} data-testid={testId}>
        {children}
      </dd>
    </div>
  );
}
