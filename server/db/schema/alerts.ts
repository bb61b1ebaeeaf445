// Alerts: channels, incidents, the outbox of messages to deliver, their delivery log, silences.
// (No 'server-only' import: drizzle-kit loads this file.)
import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

const tz = (name: string) => timestamp(name, { withTimezone: true });

/**
 * Where alerts go. `url` and `secret` are credentials (a Slack webhook URL is one): stored here,
 * never sent back by the API. Null filters mean "every rule / strategy / severity".
 */
export const alertChannels = pgTable(
  'alert_channels',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    name: text('name').notNull().unique(),
    kind: text('kind').$type<'webhook' | 'slack' | 'email'>().notNull(),
    url: text('url'),
    secret: text('secret'),
    recipients: text('recipients').array().notNull().default(sql`'{}'::text[]`),
    rules: text('rules').array(),
    strategies: text('strategies').array(),
    severities: text('severities').array(),
    enabled: boolean('enabled').notNull().default(true),
    createdAt: tz('created_at').notNull().defaultNow(),
    createdBy: text('created_by').notNull().default('system'),
    updatedAt: tz('updated_at').notNull().defaultNow(),
    updatedBy: text('updated_by').notNull().default('system'),
  },
  (t) => [check('alert_channels_kind', sql`${t.kind} in ('webhook', 'slack', 'email')`)],
);

/**
 * One incident per (rule, subject) while it is open: the partial unique index is what keeps an
 * incident (and its opening message) to one across replicas evaluating the same condition.
 */
export const alertIncidents = pgTable(
  'alert_incidents',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    rule: text('rule').notNull(),
    subject: text('subject').notNull(),
    severity: text('severity').$type<'critical' | 'warning' | 'info'>().notNull(),
    status: text('status').$type<'open' | 'closed'>().notNull().default('open'),
    title: text('title').notNull(),
    text: text('text').notNull(),
    /** runId, scheduleId, strategy, path (the dashboard page) where they apply. */
    details: jsonb('details').$type<IncidentDetails>().notNull().default({}),
    openedAt: tz('opened_at').notNull().defaultNow(),
    closedAt: tz('closed_at'),
    closedReason: text('closed_reason'),
    /** Whether its opening (or a reminder) was sent: a silenced incident sends no recovery either. */
    notified: boolean('notified').notNull().default(false),
    lastNotifiedAt: tz('last_notified_at'),
  },
  (t) => [
    uniqueIndex('alert_incidents_open_idx').on(t.rule, t.subject).where(sql`${t.status} = 'open'`),
    index('alert_incidents_opened_idx').on(t.openedAt.desc()),
  ],
);

/**
 * The outbox: one message per (event, channel), written in the transaction that opens, reminds or
 * closes an incident, with its pg-boss delivery job. `eventId` is the event's stable id (the same
 * on every channel and every attempt) for receivers to drop duplicates.
 */
export const alertMessages = pgTable(
  'alert_messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    eventId: uuid('event_id').notNull(),
    incidentId: bigint('incident_id', { mode: 'number' }).references(() => alertIncidents.id, { onDelete: 'cascade' }),
    channelId: integer('channel_id')
      .notNull()
      .references(() => alertChannels.id, { onDelete: 'cascade' }),
    event: text('event').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    status: text('status').$type<'pending' | 'delivered' | 'failed'>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    createdAt: tz('created_at').notNull().defaultNow(),
    deliveredAt: tz('delivered_at'),
    lastError: text('last_error'),
  },
  (t) => [index('alert_messages_channel_idx').on(t.channelId, t.createdAt.desc()), uniqueIndex('alert_messages_event_channel_idx').on(t.eventId, t.channelId)],
);

/** Every delivery attempt: the delivery log per channel. */
export const alertDeliveries = pgTable(
  'alert_deliveries',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    messageId: uuid('message_id')
      .notNull()
      .references(() => alertMessages.id, { onDelete: 'cascade' }),
    channelId: integer('channel_id').notNull(),
    attempt: integer('attempt').notNull(),
    ok: boolean('ok').notNull(),
    /** HTTP status, or the SMTP reply code. */
    statusCode: integer('status_code'),
    latencyMs: integer('latency_ms').notNull(),
    error: text('error'),
    worker: text('worker'),
    at: tz('at').notNull().defaultNow(),
  },
  (t) => [index('alert_deliveries_channel_idx').on(t.channelId, t.at.desc()), index('alert_deliveries_message_idx').on(t.messageId)],
);

/** Mutes a rule, a subject, or one rule for one subject, until a time (maintenance). */
export const alertSilences = pgTable(
  'alert_silences',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    rule: text('rule'),
    subject: text('subject'),
    until: tz('until').notNull(),
    reason: text('reason'),
    createdAt: tz('created_at').notNull().defaultNow(),
    createdBy: text('created_by').notNull().default('system'),
  },
  (t) => [check('alert_silences_target', sql`${t.rule} is not null or ${t.subject} is not null`)],
);

export type IncidentDetails = { runId?: string; scheduleId?: number; strategy?: string; path?: string; [key: string]: unknown };
export type AlertChannel = typeof alertChannels.$inferSelect;
export type AlertIncident = typeof alertIncidents.$inferSelect;
export type AlertMessage = typeof alertMessages.$inferSelect;
export type AlertDelivery = typeof alertDeliveries.$inferSelect;
export type AlertSilence = typeof alertSilences.$inferSelect;
