'use client';

import Link from 'next/link';
import type { StrategyView } from '@/lib/api/strategies';
import { isBelowThreshold } from '@/lib/success-rate';
import { formatCount, formatRate, humanize } from '@/lib/ui/format';
import { LocalTime } from '../ui/local-time';

/** Strategies whose last run fell below the alert threshold (or failed outright). */
export function strategiesBelowThreshold(strategies: StrategyView[], threshold: number): StrategyView[] {
  return strategies.filter((s) => s.lastRun && (s.lastRun.outcome === 'failed' || isBelowThreshold(s.lastRun.successRate, threshold)));
}

export function AlertBanner({ strategies, threshold }: { strategies: StrategyView[]; threshold: number }) {
  const below = strategiesBelowThreshold(strategies, threshold);
  if (below.length === 0) return null;
  return (
    <div role="alert" data-testid="alert-banner" className="mb-4 rounded-lg border border-bad/50 bg-bad/10 px-4 py-3 text-sm">
      <p className="font-semibold text-bad">
        {below.length === 1 ? 'A strategy’s last run' : `${below.length} strategies’ last runs`} fell below the alert threshold of {formatRate(threshold)}
      </p>
      <ul className="mt-1 space-y-0.5">
        {below.map((s) => {
          const run = s.lastRun!;
          return (
            <li key={s.name} className="text-text">
              <span className="font-medium">{humanize(s.name)}</span>: {formatRate(run.successRate)} warmed ({formatCount(run.warmed)} of {formatCount(run.total)} keys,{' '}
              {formatCount(run.failed)} failed, {formatCount(run.skipped)} skipped), <LocalTime iso={run.finishedAt} relative /> ·{' '}
              <Link href={`/runs/${run.runId}`} className="text-accent underline underline-offset-2">
                open the run
              </Link>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
