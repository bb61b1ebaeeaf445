import 'server-only';
import { randomUUID } from 'node:crypto';
import { and, eq, gt, isNull, lt, or, sql } from 'drizzle-orm';
import type PgBoss from 'pg-boss';
import type { AlertPayload, AlertRule, AlertSeverity } from '@/lib/api/alerts';
import type { Config } from '../config';
import type { Database, Db } from '../db/client';
import { type AlertChannel, type AlertIncident, type IncidentDetails, alertChannels, alertIncidents, alertMessages, alertSilences } from '../db/schema';
import { ALERT_QUEUE, jobExecutorIn } from '../warmup/job-queue';

/** A condition a rule found: it opens (or keeps open) the incident of (rule, subject). */
export type Condition = {
  rule: AlertRule;
  subject: string;
  severity: AlertSeverity;
  title: string;
  text: string;
  details?: IncidentDetails;
  /** When it was found (default now): conditions kept in memory through an outage keep their time. */
  at?: Date;
};

export type AlertDeps = {
  database: Database;
  boss: PgBoss;
  config: Pick<Config, 'alerts' | 'edge' | 'port'>;
  /** Wakes this process's delivery loop once the outbox rows are committed. */
  wake?: () => void;
};

/**
 * Opens the incident of (rule, subject) unless one is open, and queues its opening message to every
 * channel whose filters let it through (none while a silence covers it), all in one transaction:
 * the incident, its outbox rows and their delivery jobs are kept together or not at all. The
 * partial unique index on open incidents decides races between replicas: the loser writes nothing.
 */
export async function openIncident(deps: AlertDeps, condition: Condition): Promise<AlertIncident | null> {
  const at = condition.at ?? new Date();
  const incident = await deps.database.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(alertIncidents)
      .values({
        rule: condition.rule,
        subject: condition.subject,
        severity: condition.severity,
        title: condition.title,
        text: condition.text,
        details: condition.details ?? {},
        openedAt: at,
      })
      .onConflictDoNothing({ target: [alertIncidents.rule, alertIncidents.subject], where: sql`${alertIncidents.status} = 'open'` })
      .returning();
    if (!row) return null;
    if (await isSilenced(tx, row.rule, row.subject)) return row;
    const queued = await queueEvent(tx, deps, row, 'incident.opened', at);
    if (queued === 0) return row;
    const [notified] = await tx.update(alertIncidents).set({ notified: true, lastNotifiedAt: sql`now()` }).where(eq(alertIncidents.id, row.id)).returning();
    return notified ?? row;
  });
  if (incident) deps.wake?.();
  return incident;
}

/**
 * Closes the open incident of (rule, subject), if any, and queues its recovery message, in one
 * transaction. An incident whose opening was never sent (silenced) closes quietly.
 */
/**
 * Closes the open incidents of a per-run rule (subject `run:<id>`) whose run is no longer running:
 * it ended (with its status as the reason) or is gone.
 */
export async function closeIncidentsOfEndedRuns(deps: AlertDeps, rule: AlertRule): Promise<void> {
  const open = await deps.database.rows<{ subject: string; status: string | null }>(sql`
    select i.subject, r.status from alert_incidents i left join runs r on r.id::text = substr(i.subject, 5)
    where i.rule = ${rule} and i.status = 'open'`);
  for (const incident of open) {
    if (incident.status === 'running') continue;
    await closeIncident(deps, rule, incident.subject, incident.status ? `The run ended ${incident.status}` : 'The run is gone');
  }
}

export async function closeIncident(deps: AlertDeps, rule: AlertRule, subject: string, reason: string, details: IncidentDetails = {}): Promise<AlertIncident | null> {
  const incident = await deps.database.db.transaction(async (tx) => {
    const [row] = await tx
      .update(alertIncidents)
      .set({ status: 'closed', closedAt: sql`now()`, closedReason: reason, details: sql`${alertIncidents.details} || ${JSON.stringify(details)}::jsonb` })
      .where(and(eq(alertIncidents.rule, rule), eq(alertIncidents.subject, subject), eq(alertIncidents.status, 'open')))
      .returning();
    if (!row) return null;
    if (row.notified && !(await isSilenced(tx, row.rule, row.subject))) await queueEvent(tx, deps, row, 'incident.resolved', new Date(), reason);
    return row;
  });
  if (incident) deps.wake?.();
  return incident;
}

/** Reminds of incidents open and not silenced whose last message is older than the reminder interval. */
export async function remindOpenIncidents(deps: AlertDeps): Promise<number> {
  const hours = deps.config.alerts.remindHours;
  if (hours <= 0) return 0;
  const due = await deps.database.db
    .select({ id: alertIncidents.id })
    .from(alertIncidents)
    .where(and(eq(alertIncidents.status, 'open'), or(isNull(alertIncidents.lastNotifiedAt), lt(alertIncidents.lastNotifiedAt, sql`now() - make_interval(hours => ${hours})`))));
  let reminded = 0;
  for (const { id } of due) {
    const sent = await deps.database.db.transaction(async (tx) => {
      // Re-read under a row lock: another replica may have just reminded (or it closed).
      const [row] = await tx.select().from(alertIncidents).where(eq(alertIncidents.id, id)).for('update');
      if (!row || row.status !== 'open') return false;
      if (row.lastNotifiedAt && row.lastNotifiedAt.getTime() > Date.now() - hours * 3_600_000) return false;
      if (await isSilenced(tx, row.rule, row.subject)) return false;
      const queued = await queueEvent(tx, deps, row, row.notified ? 'incident.reminder' : 'incident.opened', new Date());
      await tx.update(alertIncidents).set({ notified: row.notified || queued > 0, lastNotifiedAt: sql`now()` }).where(eq(alertIncidents.id, id));
      return queued > 0;
    });
    if (sent) reminded++;
  }
  if (reminded) deps.wake?.();
  return reminded;
}

/** Queues a test message to one channel ("Send test"). */
export async function queueTestMessage(deps: AlertDeps, channel: AlertChannel, by: string): Promise<string> {
  const eventId = randomUUID();
  await deps.database.db.transaction(async (tx) => {
    const payload: AlertPayload = {
      eventId,
      event: 'test',
      rule: 'test',
      subject: `channel:${channel.id}`,
      severity: 'info',
      title: `Test message from Kiln to ${channel.name}`,
      text: `${by} sent this test from the Alerts page. If you read it, the channel works.`,
      occurredAt: new Date().toISOString(),
      url: dashboardUrl(deps.config, '/alerts'),
      incidentId: null,
    };
    await insertMessages(tx, deps, [{ channel, payload }]);
  });
  deps.wake?.();
  return eventId;
}

/** Whether an active silence covers (rule, subject). */
export async function isSilenced(db: Db, rule: string, subject: string): Promise<boolean> {
  const rows = await db
    .select({ id: alertSilences.id })
    .from(alertSilences)
    .where(
      and(
        gt(alertSilences.until, sql`now()`),
        or(isNull(alertSilences.rule), eq(alertSilences.rule, rule)),
        or(isNull(alertSilences.subject), eq(alertSilences.subject, subject)),
      ),
    )
    .limit(1);
  return rows.length > 0;
}

/** Whether a channel's filters (null: everything) let an incident through. */
export function channelAccepts(channel: Pick<AlertChannel, 'enabled' | 'rules' | 'strategies' | 'severities'>, incident: Pick<AlertIncident, 'rule' | 'severity' | 'details'>): boolean {
  if (!channel.enabled) return false;
  if (channel.rules && !channel.rules.includes(incident.rule)) return false;
  if (channel.severities && !channel.severities.includes(incident.severity)) return false;
  const strategy = incident.details.strategy;
  if (channel.strategies && typeof strategy === 'string' && !channel.strategies.includes(strategy)) return false;
  return true;
}

async function queueEvent(tx: Db, deps: AlertDeps, incident: AlertIncident, event: AlertPayload['event'], at: Date, reason?: string): Promise<number> {
  const channels = (await tx.select().from(alertChannels)).filter((c) => channelAccepts(c, incident));
  if (channels.length === 0) return 0;
  const eventId = randomUUID();
  const payload = incidentPayload(deps.config, incident, event, eventId, at, reason);
  await insertMessages(tx, deps, channels.map((channel) => ({ channel, payload })));
  return channels.length;
}

/** The message every channel gets for an incident's event (webhooks get it as JSON). */
export function incidentPayload(config: AlertDeps['config'], incident: AlertIncident, event: AlertPayload['event'], eventId: string, at: Date, reason?: string): AlertPayload {
  const { runId, scheduleId, strategy, path } = incident.details;
  const resolved = event === 'incident.resolved';
  return {
    eventId,
    event,
    rule: incident.rule,
    subject: incident.subject,
    severity: incident.severity,
    title: resolved ? `Resolved: ${incident.title}` : event === 'incident.reminder' ? `Still open: ${incident.title}` : incident.title,
    text: resolved ? `${reason ?? 'The condition cleared'}. (Opened ${incident.openedAt.toISOString()}: ${incident.text})` : incident.text,
    occurredAt: at.toISOString(),
    url: dashboardUrl(config, typeof path === 'string' ? path : '/alerts'),
    incidentId: incident.id,
    ...(typeof runId === 'string' ? { runId } : {}),
    ...(typeof scheduleId === 'number' ? { scheduleId } : {}),
    ...(typeof strategy === 'string' ? { strategy } : {}),
  };
}

export function dashboardUrl(config: Pick<Config, 'edge' | 'port'>, path: string): string {
  return `${config.edge.publicOrigin ?? `http://localhost:${config.port}`}${path}`;
}

/**
 * Writes the outbox rows and their delivery jobs in the caller's transaction. pg-boss retries a
 * failed delivery with exponential backoff (retrySeconds, doubling, retryLimit times: about eight
 * hours with the defaults); the job's singleton key is its message.
 */
async function insertMessages(tx: Db, deps: AlertDeps, messages: { channel: AlertChannel; payload: AlertPayload }[]): Promise<void> {
  const rows = await tx
    .insert(alertMessages)
    .values(messages.map(({ channel, payload }) => ({ eventId: payload.eventId, incidentId: payload.incidentId, channelId: channel.id, event: payload.event, payload })))
    .returning({ id: alertMessages.id });
  const { retrySeconds, retryLimit } = deps.config.alerts;
  await deps.boss.insert(
    rows.map((row) => ({
      name: ALERT_QUEUE,
      data: { messageId: row.id } satisfies DeliveryJob,
      singletonKey: row.id,
      retryLimit,
      retryDelay: retrySeconds,
      retryBackoff: true,
      // A send is cut at 10 s; the job expires well after, so two attempts never overlap.
      expireInSeconds: 60,
    })),
    { db: { executeSql: jobExecutorIn(tx) } },
  );
  await tx.execute(sql`select pg_notify(${ALERT_CHANNEL}, '')`);
}

export type DeliveryJob = { messageId: string };
/** NOTIFY channel that wakes every process's delivery loop when messages are queued. */
export const ALERT_CHANNEL = 'kiln_alerts';
