import 'server-only';
import { desc, eq, gt, sql } from 'drizzle-orm';
import { ALERT_RULES, type AlertRule, type AlertsOverview, type IncidentView, RULE_DESCRIPTIONS, type SilenceBody, type SilenceView } from '@/lib/api/alerts';
import type { Actor } from '@/lib/api/auth';
import { actorName, recordAudit } from '../audit/record-audit';
import type { ClientInfo } from '../auth/client-info';
import type { AlertsConfig, Config } from '../config';
import type { Database } from '../db/client';
import { type AlertIncident, type AlertSilence, alertIncidents, alertSilences } from '../db/schema';
import { AppError } from '../errors';
import { listChannels } from './channels';

/** The Alerts page: open incidents, the last 50 closed, channels with their last delivery, silences, the delivery log, the rules. */
export async function getAlertsOverview(database: Database, config: Pick<Config, 'alerts' | 'smtp'>): Promise<AlertsOverview> {
  const [open, history, channels, silences, deliveries] = await Promise.all([
    database.db.select().from(alertIncidents).where(eq(alertIncidents.status, 'open')).orderBy(desc(alertIncidents.openedAt)),
    database.db.select().from(alertIncidents).where(eq(alertIncidents.status, 'closed')).orderBy(desc(alertIncidents.closedAt)).limit(50),
    listChannels(database),
    database.db.select().from(alertSilences).where(gt(alertSilences.until, sql`now() - interval '1 day'`)).orderBy(desc(alertSilences.until)),
    database.rows<AlertsOverview['deliveries'][number]>(sql`
      select d.id, d.channel_id as "channelId", d.message_id as "messageId", m.event, m.event_id as "eventId", m.payload->>'title' as title,
             to_char(d.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at, d.ok, d.status_code as "statusCode", d.attempt, d.latency_ms as "latencyMs", d.error
      from alert_deliveries d join alert_messages m on m.id = d.message_id
      order by d.at desc, d.id desc limit 100`),
  ]);
  const active = silences.filter((s) => s.until.getTime() > Date.now());
  const silenced = (i: AlertIncident) => active.some((s) => (!s.rule || s.rule === i.rule) && (!s.subject || s.subject === i.subject));
  return {
    open: open.map((i) => incidentView(i, silenced(i))),
    history: history.map((i) => incidentView(i, false)),
    channels,
    silences: silences.map(silenceView),
    deliveries,
    rules: ALERT_RULES.map((rule) => ({ rule, description: RULE_DESCRIPTIONS[rule], setting: ruleSettings(config.alerts)[rule] })),
    smtpConfigured: config.smtp !== null,
  };
}

/** What tunes each rule, with the value in force (README "Alerts" lists the defaults). */
export function ruleSettings(a: AlertsConfig): Record<AlertRule, string> {
  return {
    run_failed: 'always on',
    success_rate: 'threshold: the alert success rate in Settings',
    run_late: `k = ${a.lateFactor} (KILN_ALERT_LATE_FACTOR)`,
    schedule_missed: `grace ${a.slotGraceSeconds} s (KILN_ALERT_SLOT_GRACE_SECONDS)`,
    job_dead_lettered: 'always on',
    change_stream: `dead after ${Math.max(30, a.downSeconds)} s without a report (KILN_ALERT_DOWN_SECONDS); slot over half KILN_SLOT_MAX_RETAINED_MB`,
    replica_fallback: 'lag bound KILN_REPLICA_MAX_LAG_BYTES',
    governor_floor: `${a.governorFloorMinutes} min at the floor (KILN_ALERT_GOVERNOR_FLOOR_MINUTES)`,
    prune_failed: 'always on',
    cache_evictions: 'any eviction between two samples (KEYSPACE_SAMPLE_SECONDS)',
    cache_down: `after ${a.downSeconds} s (KILN_ALERT_DOWN_SECONDS)`,
    database_down: `after ${a.downSeconds} s (KILN_ALERT_DOWN_SECONDS)`,
  };
}

export function incidentView(i: AlertIncident, silenced: boolean): IncidentView {
  return {
    id: i.id,
    rule: i.rule,
    subject: i.subject,
    severity: i.severity,
    status: i.status,
    title: i.title,
    text: i.text,
    details: i.details,
    openedAt: i.openedAt.toISOString(),
    closedAt: i.closedAt?.toISOString() ?? null,
    closedReason: i.closedReason,
    notified: i.notified,
    silenced,
  };
}

function silenceView(s: AlertSilence): SilenceView {
  return { id: s.id, rule: s.rule, subject: s.subject, until: s.until.toISOString(), reason: s.reason, createdAt: s.createdAt.toISOString(), createdBy: s.createdBy, active: s.until.getTime() > Date.now() };
}

/** Mutes a rule, a subject, or both until a time (operators: maintenance). */
export async function createSilence(database: Database, body: SilenceBody, actor: Actor, client: ClientInfo): Promise<SilenceView> {
  const until = new Date(body.until);
  if (until.getTime() <= Date.now()) throw new AppError('invalid_request', 'until must be in the future', { field: 'until' });
  return database.db.transaction(async (tx) => {
    const [row] = await tx.insert(alertSilences).values({ rule: body.rule ?? null, subject: body.subject ?? null, until, reason: body.reason ?? null, createdBy: actorName(actor) }).returning();
    await recordAudit(tx, { actor, action: 'alert_silence.create', target: `alert_silence:${row!.id}`, after: row, ...client });
    return silenceView(row!);
  });
}

/** Ends a silence now (its row stays, for the page's recent list). */
export async function endSilence(database: Database, id: number, actor: Actor, client: ClientInfo): Promise<SilenceView> {
  return database.db.transaction(async (tx) => {
    const [row] = await tx.update(alertSilences).set({ until: sql`least(${alertSilences.until}, now())` }).where(eq(alertSilences.id, id)).returning();
    if (!row) throw new AppError('not_found', `No silence ${id}`);
    await recordAudit(tx, { actor, action: 'alert_silence.end', target: `alert_silence:${id}`, after: row, ...client });
    return silenceView(row);
  });
}
