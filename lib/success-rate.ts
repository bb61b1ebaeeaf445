/**
 * The success rate: Kiln's one rule, computed here (and, in SQL, by successRateSql beside it in
 * server/db/sql-fragments.ts) and nowhere else.
 *
 * success rate = keys warmed / (keys warmed + keys failed)
 *
 * A skipped key is not a failure: one still fresh in the cache (only-missing runs) and one with no
 * data to load are counted and shown apart, outside the rate. A run (or strategy, or bucket) that
 * neither warmed nor failed a key had nothing to warm: it has no rate (null), shows "—" and never
 * alerts. Dry runs warm nothing: no rate either.
 */
export function successRate(counts: { warmed: number; failed: number }): number | null {
  const attempted = counts.warmed + counts.failed;
  return attempted > 0 ? counts.warmed / attempted : null;
}

/** Whether a rate is under the alert threshold. No rate (nothing to warm) is never below it. */
export function isBelowThreshold(rate: number | null | undefined, threshold: number | undefined): boolean {
  return rate !== null && rate !== undefined && threshold !== undefined && rate < threshold;
}
