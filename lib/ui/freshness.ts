import type { ChangeStreamView, FreshnessOverview } from '../api/freshness';

/** A state recorded longer ago than this means no process holds the stream (the holder writes every 2 s). */
export const STALE_STATE_MS = 15_000;

export type StreamHealth = { tone: 'ok' | 'warn' | 'bad' | 'muted'; label: string; detail: string };

/** What the operator should read first about the change stream: is it keeping the cache fresh? */
export function describeStream(stream: ChangeStreamView, now: Date = new Date()): StreamHealth {
  const how = stream.mode === 'logical' ? `logical replication (slot ${stream.slot ?? '—'})` : stream.mode === 'triggers' ? 'triggers (fallback)' : 'off';
  if (stream.mode === 'off' || stream.state === 'off') return { tone: 'muted', label: 'off', detail: 'KILN_CHANGE_STREAM=off: keys stay as warmed until their TTL or the next run.' };
  const age = stream.updatedAt ? now.getTime() - Date.parse(stream.updatedAt) : Infinity;
  if (stream.state === 'failed') return { tone: 'bad', label: 'failing', detail: `${how}: ${stream.lastError ?? 'unknown error'}; retrying.` };
  if (stream.state === 'streaming' && age > STALE_STATE_MS) {
    return { tone: 'bad', label: 'no consumer', detail: `${how}: no process has reported for ${Math.round(age / 1000)} s; changes wait in the stream.` };
  }
  if (stream.warning) return { tone: 'warn', label: 'lagging', detail: stream.warning };
  if (stream.state === 'streaming') return { tone: 'ok', label: 'streaming', detail: `${how}, read by ${stream.holder ?? 'a Kiln process'}.` };
  if (stream.state === 'paused') return { tone: 'warn', label: 'paused', detail: `${how}: warming is paused (Settings); changes wait in the stream and are re-warmed once it resumes.` };
  if (stream.state === 'stopped') return { tone: 'muted', label: 'stopped', detail: `${how}: the last consumer stopped; the next to start resumes where it left off.` };
  return { tone: 'muted', label: stream.state, detail: how };
}

export type DelayRow = { t: number } & Record<string, number | null>;

/**
 * One row per bucket for the delay chart: `{t, "<strategy>:p50", "<strategy>:p95"}` for the given
 * strategies, null where a strategy re-warmed nothing in a bucket.
 */
export function delayRows(overview: FreshnessOverview, strategies: readonly string[]): DelayRow[] {
  const times = new Set<string>();
  for (const s of overview.strategies) if (strategies.includes(s.strategy)) for (const p of s.points) times.add(p.bucketStart);
  return [...times]
    .sort()
    .map((at) => {
      const row: DelayRow = { t: Date.parse(at) };
      for (const s of overview.strategies) {
        if (!strategies.includes(s.strategy)) continue;
        const point = s.points.find((p) => p.bucketStart === at);
        row[`${s.strategy}:p50`] = point?.p50Ms ?? null;
        row[`${s.strategy}:p95`] = point?.p95Ms ?? null;
      }
      return row;
    });
}
