import { describe, expect, it } from 'vitest';
import { isBelowThreshold, successRate } from '@/lib/success-rate';
import { formatRate } from '@/lib/ui/format';
import { formatSummary } from '@/server/warmup/summary';

describe('the success rate', () => {
  it('is keys warmed over keys warmed or failed: skipped keys are not failures', () => {
    expect(successRate({ warmed: 98, failed: 2 })).toBe(0.98);
    // 100 skipped (fresh or without data) and one failure: the one failure is all that counts against it.
    expect(successRate({ warmed: 3, failed: 1, ...{ skipped: 100 } })).toBe(0.75);
    expect(successRate({ warmed: 0, failed: 5 })).toBe(0);
  });

  it('is absent when nothing was warmed or failed (every key fresh, or a dry run), and shows as a dash', () => {
    expect(successRate({ warmed: 0, failed: 0 })).toBeNull();
    expect(formatRate(successRate({ warmed: 0, failed: 0 }))).toBe('—');
  });

  it('never puts a run with nothing to warm below the alert threshold', () => {
    expect(isBelowThreshold(null, 0.95)).toBe(false);
    expect(isBelowThreshold(0.94, 0.95)).toBe(true);
    expect(isBelowThreshold(0.95, 0.95)).toBe(false);
    expect(isBelowThreshold(0.5, undefined)).toBe(false);
  });

  it('reads "nothing to warm" in the log summary rather than 0%', () => {
    expect(formatSummary({ warmed: 0, skipped: 100, failed: 0, durationMs: 1200 })).toBe(
      'Cache warmup completed: 0 warmed, 100 skipped, 0 failed in 1.20s (success rate: —, nothing to warm)',
    );
    expect(formatSummary({ warmed: 98, skipped: 0, failed: 2, durationMs: 2340 })).toBe(
      'Cache warmup completed: 98 warmed, 0 skipped, 2 failed in 2.34s (success rate: 98.0%)',
    );
  });
});
