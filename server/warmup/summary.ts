import 'server-only';

/** The summary line operators already know from the shop's logs. */
export function formatSummary(s: { warmed: number; skipped: number; failed: number; durationMs: number; successRate: number }): string {
  return `Cache warmup completed: ${s.warmed} warmed, ${s.skipped} skipped, ${s.failed} failed in ${(s.durationMs / 1000).toFixed(2)}s (success rate: ${(s.successRate * 100).toFixed(1)}%)`;
}
