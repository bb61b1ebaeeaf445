import 'server-only';
import { randomBytes } from 'node:crypto';
import { desc, eq, sql } from 'drizzle-orm';
import type { Actor } from '@/lib/api/auth';
import type { ChannelBody, ChannelPatch, ChannelView } from '@/lib/api/alerts';
import { actorName, recordAudit } from '../audit/record-audit';
import type { ClientInfo } from '../auth/client-info';
import type { Database } from '../db/client';
import { type AlertChannel, alertChannels, alertDeliveries } from '../db/schema';
import { AppError } from '../errors';
import type { StrategyRegistry } from '../warmup/registry';
import { type AlertDeps, queueTestMessage } from './incidents';

type ChannelDeps = { database: Database; registry: Pick<StrategyRegistry, 'has'> };

/** Creates a channel (admins). A webhook without a secret gets a generated one, shown in this answer only. */
export async function createChannel(deps: ChannelDeps, body: ChannelBody, actor: Actor, client: ClientInfo): Promise<ChannelView> {
  const values = checkChannel(deps, body.kind, body);
  const generated = body.kind === 'webhook' && !body.secret ? randomBytes(24).toString('base64url') : undefined;
  const row = await deps.database.db.transaction(async (tx) => {
    const [created] = await tx
      .insert(alertChannels)
      .values({ ...values, name: body.name, kind: body.kind, secret: body.secret ?? generated ?? null, createdBy: actorName(actor), updatedBy: actorName(actor) })
      .onConflictDoNothing({ target: alertChannels.name })
      .returning();
    if (!created) throw new AppError('conflict', `A channel named "${body.name}" exists already`, { field: 'name' });
    await recordAudit(tx, { actor, action: 'alert_channel.create', target: `alert_channel:${created.id}`, after: auditView(created), ...client });
    return created;
  });
  return { ...channelView(row, null), ...(generated ? { secret: generated } : {}) };
}

export async function updateChannel(deps: ChannelDeps, id: number, patch: ChannelPatch, actor: Actor, client: ClientInfo): Promise<ChannelView> {
  const row = await deps.database.db.transaction(async (tx) => {
    const [before] = await tx.select().from(alertChannels).where(eq(alertChannels.id, id)).for('update');
    if (!before) throw new AppError('not_found', `No alert channel ${id}`);
    const values = checkChannel(deps, before.kind, { ...before, ...withoutUndefined(patch) });
    if (patch.name && patch.name !== before.name) {
      const [taken] = await tx.select({ id: alertChannels.id }).from(alertChannels).where(eq(alertChannels.name, patch.name));
      if (taken) throw new AppError('conflict', `A channel named "${patch.name}" exists already`, { field: 'name' });
    }
    const [after] = await tx
      .update(alertChannels)
      .set({ ...values, ...(patch.name ? { name: patch.name } : {}), ...(patch.secret ? { secret: patch.secret } : {}), updatedAt: sql`now()`, updatedBy: actorName(actor) })
      .where(eq(alertChannels.id, id))
      .returning();
    await recordAudit(tx, { actor, action: 'alert_channel.update', target: `alert_channel:${id}`, before: auditView(before), after: auditView(after!), ...client });
    return after!;
  });
  return channelView(row, await lastDelivery(deps.database, id));
}

export async function deleteChannel(deps: Pick<ChannelDeps, 'database'>, id: number, actor: Actor, client: ClientInfo): Promise<ChannelView> {
  return deps.database.db.transaction(async (tx) => {
    const [row] = await tx.delete(alertChannels).where(eq(alertChannels.id, id)).returning();
    if (!row) throw new AppError('not_found', `No alert channel ${id}`);
    await recordAudit(tx, { actor, action: 'alert_channel.delete', target: `alert_channel:${id}`, before: auditView(row), ...client });
    return channelView(row, null);
  });
}

/** "Send test": a test message to one channel, through the outbox like any other (202). */
export async function sendTestMessage(deps: AlertDeps, id: number, actor: Actor, client: ClientInfo): Promise<{ eventId: string }> {
  const [channel] = await deps.database.db.select().from(alertChannels).where(eq(alertChannels.id, id));
  if (!channel) throw new AppError('not_found', `No alert channel ${id}`);
  const eventId = await queueTestMessage(deps, channel, actorName(actor));
  await recordAudit(deps.database.db, { actor, action: 'alert_channel.test', target: `alert_channel:${id}`, after: { eventId }, ...client });
  return { eventId };
}

export async function listChannels(database: Database): Promise<ChannelView[]> {
  const rows = await database.db.select().from(alertChannels).orderBy(alertChannels.name);
  const last = await database.rows<{ channelId: number; at: string; ok: boolean; statusCode: number | null; attempt: number; latencyMs: number; error: string | null }>(sql`
    select distinct on (channel_id) channel_id as "channelId", to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at, ok, status_code as "statusCode", attempt, latency_ms as "latencyMs", error
    from alert_deliveries order by channel_id, at desc`);
  return rows.map((r) => {
    const d = last.find((l) => l.channelId === r.id);
    return channelView(r, d ? { at: d.at, ok: d.ok, statusCode: d.statusCode, attempt: d.attempt, latencyMs: d.latencyMs, error: d.error } : null);
  });
}

async function lastDelivery(database: Database, channelId: number): Promise<ChannelView['lastDelivery']> {
  const [d] = await database.db.select().from(alertDeliveries).where(eq(alertDeliveries.channelId, channelId)).orderBy(desc(alertDeliveries.at)).limit(1);
  return d ? { at: d.at.toISOString(), ok: d.ok, statusCode: d.statusCode, attempt: d.attempt, latencyMs: d.latencyMs, error: d.error } : null;
}

/** The API's view of a channel: never its secret; a Slack URL (the credential itself) by host only. */
export function channelView(row: AlertChannel, last: ChannelView['lastDelivery']): ChannelView {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    url: row.url ? (row.kind === 'slack' ? `${new URL(row.url).origin}/…` : row.url) : null,
    hasSecret: Boolean(row.secret),
    recipients: row.recipients,
    rules: row.rules as ChannelView['rules'],
    strategies: row.strategies,
    severities: row.severities as ChannelView['severities'],
    enabled: row.enabled,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    lastDelivery: last,
  };
}

function auditView(row: AlertChannel) {
  const { secret: _secret, url, ...rest } = row;
  return { ...rest, url: row.kind === 'slack' ? '(redacted)' : url, hasSecret: Boolean(row.secret) };
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

type ChannelFields = { url?: string | null; secret?: string | null; recipients?: string[]; rules?: string[] | null; strategies?: string[] | null; severities?: string[] | null; enabled?: boolean };
type Checked = Pick<AlertChannel, 'url' | 'recipients' | 'rules' | 'strategies' | 'severities' | 'enabled'>;

/** What each kind needs: a URL for webhooks and Slack, recipients for email; filters name known things. */
function checkChannel(deps: ChannelDeps, kind: AlertChannel['kind'], c: ChannelFields): Checked {
  if (kind === 'email') {
    if (c.url) throw new AppError('invalid_request', 'An email channel has no URL: give its recipients', { field: 'url' });
    if (!c.recipients?.length) throw new AppError('invalid_request', 'An email channel needs at least one recipient', { field: 'recipients' });
  } else {
    if (!c.url) throw new AppError('invalid_request', `A ${kind} channel needs a url`, { field: 'url' });
    if (c.recipients?.length) throw new AppError('invalid_request', `A ${kind} channel has no recipients`, { field: 'recipients' });
    if (kind === 'slack' && c.secret) throw new AppError('invalid_request', 'A Slack incoming webhook is not signed: its URL is the secret', { field: 'secret' });
  }
  const unknown = (c.strategies ?? []).filter((s) => !deps.registry.has(s));
  if (unknown.length) throw new AppError('invalid_request', `Unknown strategies: ${unknown.join(', ')}`, { field: 'strategies' });
  return {
    url: kind === 'email' ? null : c.url!,
    recipients: kind === 'email' ? c.recipients! : [],
    rules: c.rules ?? null,
    strategies: c.strategies ?? null,
    severities: c.severities ?? null,
    enabled: c.enabled ?? true,
  };
}
