import { z } from 'zod';

/**
 * Shapes of the freshness API (re-warming keys when the shop's rows change), shared by the route
 * handler and the browser.
 *
 * - GET /api/freshness?from&to&bucket (viewer) -> FreshnessOverview: the change stream's state
 *   (mode, state, lag, rate, the slot guard's last drop) and per strategy and time bucket what the
 *   re-warms did (changes seen, keys re-warmed, deleted, skipped, failed, p50/p95/max delay from
 *   the commit to the cache write).
 */

export const FRESHNESS_BUCKETS = ['minute', 'hour'] as const;

const isoDate = z.iso.datetime({ offset: true, error: 'expected an ISO 8601 date-time such as 2026-11-22T10:00:00Z' });

export const freshnessQuerySchema = z
  .strictObject({
    from: isoDate.optional(),
    to: isoDate.optional(),
    bucket: z.enum(FRESHNESS_BUCKETS, { error: 'expected minute or hour' }).optional(),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) < Date.parse(q.to), { error: 'from must be before to', path: ['from'] });
export type FreshnessQuery = z.infer<typeof freshnessQuerySchema>;

export type ChangeStreamMode = 'logical' | 'triggers' | 'off';
/** starting; streaming (this or another replica consumes); waiting (for the lock); failed; stopped; off. */
export type ChangeStreamStateName = 'starting' | 'streaming' | 'paused' | 'waiting' | 'failed' | 'stopped' | 'off';

export type ChangeStreamView = {
  mode: ChangeStreamMode;
  state: ChangeStreamStateName;
  /** The replication slot (logical mode). */
  slot: string | null;
  /** The process consuming the stream. */
  holder: string | null;
  /** Bytes of WAL the slot retains (logical) or null. */
  lagBytes: number | null;
  /** Changes read but not yet re-warmed, or change rows waiting (triggers). */
  pendingChanges: number | null;
  changesPerSecond: number | null;
  lastError: string | null;
  /** The slot guard's warning (retained WAL past half its bound) or another one. */
  warning: string | null;
  droppedAt: string | null;
  dropReason: string | null;
  /** When the consumer last wrote this state; a stale one means no process consumes. */
  updatedAt: string | null;
  /** The bound on retained WAL beyond which the slot guard drops the slot. */
  maxRetainedBytes: number;
};

export type FreshnessCounts = {
  changes: number;
  rewarmed: number;
  deleted: number;
  skipped: number;
  failed: number;
};

export type FreshnessPoint = FreshnessCounts & {
  bucketStart: string;
  p50Ms: number | null;
  p95Ms: number | null;
  maxMs: number | null;
};

export type FreshnessStrategySeries = {
  strategy: string;
  rewarmOnChange: boolean;
  enabled: boolean;
  totals: FreshnessCounts & { p50Ms: number | null; p95Ms: number | null; maxMs: number | null };
  points: FreshnessPoint[];
  lastError: { key: string; error: string } | null;
};

export type FreshnessOverview = {
  stream: ChangeStreamView;
  from: string;
  to: string;
  bucket: (typeof FRESHNESS_BUCKETS)[number];
  strategies: FreshnessStrategySeries[];
};
