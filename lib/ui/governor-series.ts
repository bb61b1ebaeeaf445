import type { GovernorSample } from '../api/governor';

/** A shard's sample stands for it this long (3 sample intervals); after that the shard has ended or gone quiet. */
const STALE_MS = 6000;

export type GovernorRow = { t: number; concurrency: number; ceiling: number; batchMs: number | null; keysPerSecond: number };
export type GovernorMove = { at: string; shard: string; from: number | null; to: number; reason: string };

/**
 * The run's governor over time, its shards summed: at each sample, the concurrency and keys/s of
 * every shard's latest sample (still fresh), and the slowest of their batch latencies.
 */
export function governorRows(samples: readonly GovernorSample[]): GovernorRow[] {
  const latest = new Map<string, { t: number; s: GovernorSample }>();
  const rows: GovernorRow[] = [];
  for (const s of [...samples].sort((a, b) => Date.parse(a.at) - Date.parse(b.at))) {
    const t = Date.parse(s.at);
    latest.set(`${s.strategy}#${s.shard}`, { t, s });
    const live = [...latest.values()].filter((l) => t - l.t <= STALE_MS).map((l) => l.s);
    const batch = live.map((l) => l.batchMs).filter((v): v is number => v !== null);
    rows.push({
      t,
      concurrency: live.reduce((n, l) => n + l.concurrency, 0),
      ceiling: live.reduce((n, l) => n + l.ceiling, 0),
      batchMs: batch.length ? Math.round(Math.max(...batch) * 10) / 10 : null,
      keysPerSecond: Math.round(live.reduce((n, l) => n + l.keysPerSecond, 0)),
    });
  }
  return rows;
}

/** Where a shard's governor changed its concurrency, and why, newest first. */
export function governorMoves(samples: readonly GovernorSample[], limit = 12): GovernorMove[] {
  const last = new Map<string, number>();
  const moves: GovernorMove[] = [];
  for (const s of [...samples].sort((a, b) => Date.parse(a.at) - Date.parse(b.at))) {
    const shard = `${s.strategy} #${s.shard}`;
    const before = last.get(shard);
    if (before === undefined || before !== s.concurrency) moves.push({ at: s.at, shard, from: before ?? null, to: s.concurrency, reason: s.reason });
    last.set(shard, s.concurrency);
  }
  return moves.reverse().slice(0, limit);
}
