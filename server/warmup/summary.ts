import 'server-only';
import { successRate } from '@/lib/success-rate';

/** The summary line operators already know from the shop's logs. */
export function formatSummary(s: { warmed: number; skipped: number; failed: number; durationMs: number }): string {
  const rate = successRate(s);
  return `Cache warmup completed: ${s.warmed} warmed, ${s.skipped} skipped, ${s.failed} failed in ${(s.durationMs / 1000).toFixed(2)}s (success rate: ${rate === null ? '—, nothing to warm' : `${(rate * 100).toFixed(1)}%`})`;
}
