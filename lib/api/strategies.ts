import { z } from 'zod';

/** Shapes of the strategies and settings API, shared by the route handlers and the browser. */

/**
 * A whole number in a range. One message for every way it can be wrong (zod applies a schema's
 * own error to its min and max too), so it names the range: "expected a whole number of seconds
 * from 10 to 86,400", never "expected a whole number" for a 5 that is merely too small.
 */
const wholeNumber = (what: string, min: number, max: number) =>
  z.int({ error: `expected ${what} from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}` }).min(min).max(max);

export type StrategyRunSummary = {
  runId: string;
  outcome: 'succeeded' | 'partial' | 'failed' | 'cancelled' | 'skipped';
  finishedAt: string;
  total: number;
  warmed: number;
  skipped: number;
  failed: number;
  /** lib/success-rate.ts's rule; null when it had nothing to warm. */
  successRate: number | null;
  durationMs: number;
};

export type StrategyView = {
  name: string;
  context: string;
  tags: string[];
  description: string;
  priority: number;
  ttlSeconds: number;
  enabled: boolean;
  /** Its cached keys are re-warmed when the rows they come from change (the change stream). */
  rewarmOnChange: boolean;
  /** The strategy's own settings now in force (defaults with the operator's overrides). */
  options: Record<string, unknown>;
  defaults: { priority: number; ttlSeconds: number; enabled: boolean; rewarmOnChange: boolean; options: Record<string, unknown> };
  /** The last finished run of this strategy (dry runs excluded), or null. */
  lastRun: StrategyRunSummary | null;
  /** Success rates of its last runs, oldest first, for a sparkline. */
  recent: { finishedAt: string; successRate: number | null; outcome: string }[];
  /** The run warming it now, if any. */
  busyWith: string | null;
  /**
   * Where it stands in that run (its strategies warm one after another): `waiting` for the ones
   * before it, `running`, or `done` (the run goes on with others). Null when no run holds it.
   */
  busyState?: 'waiting' | 'running' | 'done' | null;
  updatedAt: string | null;
  updatedBy: string | null;
  /** Bumped by every edit (0: never edited); send it back as If-Match to edit this view of it. */
  version: number;
};

export const updateStrategySchema = z
  .strictObject({
    priority: wholeNumber('a whole number', 0, 1000).optional(),
    ttlSeconds: wholeNumber('a whole number of seconds', 1, 2_592_000).optional(),
    enabled: z.boolean({ error: 'expected true or false' }).optional(),
    rewarmOnChange: z.boolean({ error: 'expected true or false' }).optional(),
    options: z.record(z.string(), z.unknown(), { error: 'expected an object of the strategy\u2019s settings' }).optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { error: 'send at least one of priority, ttlSeconds, enabled, rewarmOnChange, options' });
export type UpdateStrategyRequest = z.infer<typeof updateStrategySchema>;

export type SettingsView = {
  maxConcurrency: number;
  defaultTtlSeconds: number;
  batchSize: number;
  keyTimeoutMs: number;
  alertSuccessRate: number;
  runTimeoutSeconds: number;
  /** Queued work no live worker takes for this long fails its run. */
  workerWaitSeconds: number;
  /** The global pause: no worker takes new work while it is on (queued work waits). */
  paused: boolean;
  pausedAt: string | null;
  pausedBy: string | null;
  updatedAt: string;
  updatedBy: string;
  /** Bumped by every change; send it back as If-Match to edit this view of the settings. */
  version: number;
};

export const updateSettingsSchema = z
  .strictObject({
    maxConcurrency: wholeNumber('a whole number', 1, 256).optional(),
    defaultTtlSeconds: wholeNumber('a whole number of seconds', 1, 2_592_000).optional(),
    batchSize: wholeNumber('a whole number', 1, 10_000).optional(),
    keyTimeoutMs: wholeNumber('a whole number of milliseconds', 10, 600_000).optional(),
    alertSuccessRate: z.number({ error: 'expected a number from 0 to 1' }).min(0).max(1).optional(),
    runTimeoutSeconds: wholeNumber('a whole number of seconds', 10, 86_400).optional(),
    workerWaitSeconds: wholeNumber('a whole number of seconds', 10, 86_400).optional(),
    paused: z.boolean({ error: 'expected true or false' }).optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { error: 'send at least one setting' });
export type UpdateSettingsRequest = z.infer<typeof updateSettingsSchema>;

export const warmupTargetSchema = z.strictObject({
  target: z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, { error: 'expected a strategy name, a tag or all' }),
});

export const warmupOptionsSchema = z.strictObject({
  concurrency: wholeNumber('a whole number', 1, 256).optional(),
  onlyMissing: z.boolean().optional(),
  dryRun: z.boolean().optional(),
  confirmBlackout: z.boolean().optional(),
});
