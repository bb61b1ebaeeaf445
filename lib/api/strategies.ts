import { z } from 'zod';

/** Shapes of the strategies and settings API, shared by the route handlers and the browser. */

export type StrategyRunSummary = {
  runId: string;
  outcome: 'succeeded' | 'partial' | 'failed' | 'cancelled' | 'skipped';
  finishedAt: string;
  total: number;
  warmed: number;
  skipped: number;
  failed: number;
  successRate: number;
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
  /** The strategy's own settings now in force (defaults with the operator's overrides). */
  options: Record<string, unknown>;
  defaults: { priority: number; ttlSeconds: number; enabled: boolean; options: Record<string, unknown> };
  /** The last finished run of this strategy (dry runs excluded), or null. */
  lastRun: StrategyRunSummary | null;
  /** Success rates of its last runs, oldest first, for a sparkline. */
  recent: { finishedAt: string; successRate: number; outcome: string }[];
  /** The run warming it now, if any. */
  busyWith: string | null;
  updatedAt: string | null;
  updatedBy: string | null;
};

export const updateStrategySchema = z
  .strictObject({
    priority: z.int({ error: 'expected a whole number' }).min(0).max(1000).optional(),
    ttlSeconds: z.int({ error: 'expected a whole number of seconds' }).min(1).max(2_592_000).optional(),
    enabled: z.boolean({ error: 'expected true or false' }).optional(),
    options: z.record(z.string(), z.unknown(), { error: 'expected an object of the strategy\u2019s settings' }).optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { error: 'send at least one of priority, ttlSeconds, enabled, options' });
export type UpdateStrategyRequest = z.infer<typeof updateStrategySchema>;

export type SettingsView = {
  maxConcurrency: number;
  defaultTtlSeconds: number;
  batchSize: number;
  keyTimeoutMs: number;
  alertSuccessRate: number;
  runTimeoutSeconds: number;
  updatedAt: string;
  updatedBy: string;
};

export const updateSettingsSchema = z
  .strictObject({
    maxConcurrency: z.int({ error: 'expected a whole number' }).min(1).max(256).optional(),
    defaultTtlSeconds: z.int({ error: 'expected a whole number of seconds' }).min(1).max(2_592_000).optional(),
    batchSize: z.int({ error: 'expected a whole number' }).min(1).max(10_000).optional(),
    keyTimeoutMs: z.int({ error: 'expected a whole number of milliseconds' }).min(10).max(600_000).optional(),
    alertSuccessRate: z.number({ error: 'expected a number from 0 to 1' }).min(0).max(1).optional(),
    runTimeoutSeconds: z.int({ error: 'expected a whole number of seconds' }).min(10).max(86_400).optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { error: 'send at least one setting' });
export type UpdateSettingsRequest = z.infer<typeof updateSettingsSchema>;

export const warmupTargetSchema = z.strictObject({
  target: z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, { error: 'expected a strategy name, a tag or all' }),
});

export const warmupOptionsSchema = z.strictObject({
  concurrency: z.int({ error: 'expected a whole number' }).min(1).max(256).optional(),
  onlyMissing: z.boolean().optional(),
  dryRun: z.boolean().optional(),
});
