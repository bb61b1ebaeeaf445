'use client';

import { useId } from 'react';
import type { Scope } from '@/lib/api/runs';
import type { StrategyView } from '@/lib/api/strategies';
import { humanize } from '@/lib/ui/format';
import { FieldError } from '../ui/field';

type Kind = 'all' | 'strategies' | 'tags';

/** What a schedule warms: every enabled strategy, some strategies, or the strategies with some tags. */
export function ScopePicker({ scope, onChange, strategies, error }: { scope: Scope; onChange: (scope: Scope) => void; strategies: StrategyView[]; error?: string }) {
  const id = useId();
  const kind: Kind = 'all' in scope ? 'all' : 'strategies' in scope ? 'strategies' : 'tags';
  const tags = [...new Set(strategies.flatMap((s) => s.tags))].sort();
  const selected = 'strategies' in scope ? scope.strategies : 'tags' in scope ? scope.tags : [];
  const toggle = (value: string, on: boolean) => {
    const next = on ? [...selected, value] : selected.filter((v) => v !== value);
    onChange(kind === 'strategies' ? { strategies: next } : { tags: next });
  };
  const choices = kind === 'strategies' ? strategies.map((s) => ({ value: s.name, label: humanize(s.name), off: !s.enabled })) : tags.map((t) => ({ value: t, label: t, off: false }));

  return (
    <fieldset aria-describedby={error ? `${id}-error` : undefined}>
      <legend className="mb-1 text-xs font-medium text-muted">Warms</legend>
      <div className="flex gap-4 text-sm">
        {(['all', 'strategies', 'tags'] as const).map((k) => (
          <label key={k} className="flex items-center gap-1.5">
            <input type="radio" name={`${id}-kind`} checked={kind === k} onChange={() => onChange(k === 'all' ? { all: true } : k === 'strategies' ? { strategies: [] } : { tags: [] })} className="accent-[var(--accent)]" />
            {k === 'all' ? 'All strategies' : k === 'strategies' ? 'Some strategies' : 'By tag'}
          </label>
        ))}
      </div>
      {kind !== 'all' ? (
        <div className="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-sm">
          {choices.map((c) => (
            <label key={c.value} className="flex items-center gap-1.5">
              <input type="checkbox" checked={selected.includes(c.value)} onChange={(e) => toggle(c.value, e.target.checked)} className="accent-[var(--accent)]" />
              {c.label}
              {c.off ? <span className="text-xs text-muted">(disabled)</span> : null}
            </label>
          ))}
        </div>
      ) : null}
      <FieldError id={`${id}-error`}>{error}</FieldError>
    </fieldset>
  );
}
