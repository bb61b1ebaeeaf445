import { z } from 'zod';

/** The alert rules (server/alerts evaluates them); every channel gets all of them unless narrowed. */
export const ALERT_RULES = [
  'run_failed',
  'success_rate',
  'run_late',
  'schedule_missed',
  'job_dead_lettered',
  'change_stream',
  'replica_fallback',
  'governor_floor',
  'prune_failed',
  'cache_evictions',
  'cache_down',
  'database_down',
] as const;
export type AlertRule = (typeof ALERT_RULES)[number];
export const ALERT_SEVERITIES = ['critical', 'warning', 'info'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];
export const CHANNEL_KINDS = ['webhook', 'slack', 'email'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

export const RULE_DESCRIPTIONS: Record<AlertRule, string> = {
  run_failed: 'A run ended failed, partial or abandoned (per strategy; closes when its next run succeeds)',
  success_rate: 'A strategy’s success rate fell below the alert threshold (fresh skips are not failures)',
  run_late: 'A run is running longer than k × the recent p95 duration of its strategies’ runs with the same governor profile',
  schedule_missed: 'A schedule slot was missed, skipped (busy, overlap) or not fired at all within the grace period',
  job_dead_lettered: 'A shard job was given up (pg-boss dead-letter queue)',
  change_stream: 'The change-stream consumer is dead or its slot is lagging',
  replica_fallback: 'A run fell back from the read replica to the primary (replica lagging or unreachable; closes when a later run succeeds without falling back)',
  governor_floor: 'A run’s governor held at its floor concurrency for the whole window: the shop database is struggling',
  prune_failed: 'A retention pruning pass failed (closes on the next successful pass)',
  cache_evictions: 'The cache evicted keys between two samples (closes when a later sample shows none)',
  cache_down: 'The cache has not answered for longer than the time set (closes when it answers again)',
  database_down: 'The database has not answered for longer than the time set (closes when it answers again)',
};

const names = (values: readonly string[], what: string) =>
  z
    .array(z.string().refine((v) => values.includes(v), { error: `unknown ${what}: expected one of ${values.join(', ')}` }))
    .max(50)
    .nullable();

const recipients = z.array(z.email({ error: 'expected email addresses' })).max(50);

/** POST /api/alert-channels and PATCH /api/alert-channels/{id} (every field optional there). */
export const channelBodySchema = z.strictObject({
  name: z.string().trim().min(1, { error: 'must not be empty' }).max(100),
  kind: z.enum(CHANNEL_KINDS, { error: "expected 'webhook', 'slack' or 'email'" }),
  url: z
    .url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' })
    .max(2000)
    .optional(),
  secret: z.string().min(16, { error: 'must be at least 16 characters' }).max(256).optional(),
  recipients: recipients.optional(),
  rules: names(ALERT_RULES, 'rule').optional(),
  strategies: z.array(z.string().min(1).max(100)).max(100).nullable().optional(),
  severities: names(ALERT_SEVERITIES, 'severity').optional(),
  enabled: z.boolean().optional(),
});
export type ChannelBody = z.infer<typeof channelBodySchema>;
export const channelPatchSchema = channelBodySchema.partial().omit({ kind: true });
export type ChannelPatch = z.infer<typeof channelPatchSchema>;

export const silenceBodySchema = z
  .strictObject({
    rule: z.enum(ALERT_RULES, { error: `expected one of ${ALERT_RULES.join(', ')}` }).nullable().optional(),
    subject: z.string().min(1).max(200).nullable().optional(),
    until: z.iso.datetime({ offset: true, error: 'expected an ISO date-time' }),
    reason: z.string().max(500).nullable().optional(),
  })
  .refine((b) => b.rule || b.subject, { error: 'name a rule, a subject or both', path: ['rule'] });
export type SilenceBody = z.infer<typeof silenceBodySchema>;

export type ChannelDelivery = { at: string; ok: boolean; statusCode: number | null; attempt: number; latencyMs: number; error: string | null };

/** A channel as the API shows it: no secret, and for Slack no URL (it is the credential). */
export type ChannelView = {
  id: number;
  name: string;
  kind: ChannelKind;
  /** The webhook URL; a Slack URL shows its host only. */
  url: string | null;
  hasSecret: boolean;
  recipients: string[];
  rules: AlertRule[] | null;
  strategies: string[] | null;
  severities: AlertSeverity[] | null;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
  lastDelivery: ChannelDelivery | null;
  /** Only in the answer that created it, when Kiln generated the webhook's secret. */
  secret?: string;
};

export type IncidentView = {
  id: number;
  rule: string;
  subject: string;
  severity: AlertSeverity;
  status: 'open' | 'closed';
  title: string;
  text: string;
  details: Record<string, unknown>;
  openedAt: string;
  closedAt: string | null;
  closedReason: string | null;
  notified: boolean;
  silenced: boolean;
};

export type SilenceView = { id: number; rule: string | null; subject: string | null; until: string; reason: string | null; createdAt: string; createdBy: string; active: boolean };

export type DeliveryView = ChannelDelivery & { id: number; channelId: number; messageId: string; event: string; eventId: string; title: string };

export type AlertsOverview = {
  open: IncidentView[];
  history: IncidentView[];
  channels: ChannelView[];
  silences: SilenceView[];
  deliveries: DeliveryView[];
  /** Every rule, on for every channel unless it is narrowed, with the setting that tunes it (in force now). */
  rules: { rule: AlertRule; description: string; setting: string }[];
  smtpConfigured: boolean;
};

/** The JSON a webhook receives (and, formatted, Slack and email). */
export type AlertPayload = {
  eventId: string;
  event: 'incident.opened' | 'incident.reminder' | 'incident.resolved' | 'test';
  rule: string;
  subject: string;
  severity: AlertSeverity;
  title: string;
  text: string;
  occurredAt: string;
  url: string;
  incidentId: number | null;
  runId?: string;
  scheduleId?: number;
  strategy?: string;
};
