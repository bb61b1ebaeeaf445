import 'server-only';
import { createHmac } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { AlertPayload } from '@/lib/api/alerts';
import type { SmtpConfig } from '../config';
import type { AlertChannel } from '../db/schema';

/** What one delivery attempt came to: the delivery log's row. */
export type SendResult = { ok: boolean; statusCode: number | null; error: string | null; latencyMs: number };

/** A send is cut after this long (its job expires well after: two attempts never overlap). */
const SEND_TIMEOUT_MS = 10_000;

/** `sha256=<hex HMAC-SHA256 of the body with the channel's secret>`: the X-Kiln-Signature header. */
export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Sends one message to one channel. Never throws: a failure is a result with ok false. */
export async function sendToChannel(channel: AlertChannel, payload: AlertPayload, smtp: SmtpConfig | null): Promise<SendResult> {
  const started = performance.now();
  const done = (r: Omit<SendResult, 'latencyMs'>): SendResult => ({ ...r, latencyMs: Math.round(performance.now() - started) });
  try {
    if (channel.kind === 'email') return done(await sendEmail(channel, payload, smtp));
    const body = JSON.stringify(channel.kind === 'slack' ? slackMessage(payload) : payload);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'Kiln-Alerts/1', 'x-kiln-event-id': payload.eventId, 'x-kiln-event': payload.event };
    if (channel.kind === 'webhook' && channel.secret) headers['x-kiln-signature'] = signBody(body, channel.secret);
    const response = await fetch(channel.url!, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(SEND_TIMEOUT_MS) });
    // The answer's body is not needed; reading it frees the connection.
    const text = await response.text().catch(() => '');
    return done(response.ok ? { ok: true, statusCode: response.status, error: null } : { ok: false, statusCode: response.status, error: `HTTP ${response.status} ${text.slice(0, 200)}`.trim() });
  } catch (error) {
    return done({ ok: false, statusCode: null, error: describe(error) });
  }
}

const SEVERITY_MARK: Record<AlertPayload['severity'], string> = { critical: ':red_circle:', warning: ':large_orange_circle:', info: ':large_blue_circle:' };

/** Slack's incoming-webhook format: a fallback `text` and blocks with a link to the dashboard. */
export function slackMessage(payload: AlertPayload) {
  const mark = payload.event === 'incident.resolved' ? ':white_check_mark:' : SEVERITY_MARK[payload.severity];
  const facts = [payload.strategy && `strategy \`${payload.strategy}\``, payload.runId && `run \`${payload.runId.slice(0, 8)}\``, payload.scheduleId && `schedule ${payload.scheduleId}`].filter(Boolean).join(' · ');
  return {
    text: `${payload.title}: ${payload.text}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `${mark} *<${payload.url}|${escapeSlack(payload.title)}>*\n${escapeSlack(payload.text)}` } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `${payload.severity} · ${payload.rule}${facts ? ` · ${facts}` : ''} · event ${payload.eventId}` }] },
    ],
  };
}

function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

async function sendEmail(channel: AlertChannel, payload: AlertPayload, smtp: SmtpConfig | null): Promise<Omit<SendResult, 'latencyMs'>> {
  if (!smtp) return { ok: false, statusCode: null, error: 'No SMTP server configured (set KILN_SMTP_HOST)' };
  if (channel.recipients.length === 0) return { ok: false, statusCode: null, error: 'The channel has no recipients' };
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.tls === 'implicit',
    requireTLS: smtp.tls === 'starttls',
    ignoreTLS: smtp.tls === 'off',
    auth: smtp.user ? { user: smtp.user, pass: smtp.password ?? '' } : undefined,
    connectionTimeout: SEND_TIMEOUT_MS,
    greetingTimeout: SEND_TIMEOUT_MS,
    socketTimeout: SEND_TIMEOUT_MS,
  });
  try {
    const info = await transport.sendMail({
      from: smtp.from,
      to: channel.recipients,
      subject: `[Kiln ${payload.severity}] ${payload.title}`,
      text: emailText(payload),
      headers: { 'X-Kiln-Event-Id': payload.eventId, 'X-Kiln-Event': payload.event },
    });
    return { ok: true, statusCode: replyCode(info.response) ?? 250, error: null };
  } catch (error) {
    const code = (error as { responseCode?: number }).responseCode;
    return { ok: false, statusCode: typeof code === 'number' ? code : null, error: describe(error) };
  } finally {
    transport.close();
  }
}

export function emailText(payload: AlertPayload): string {
  const lines = [payload.text, '', `Severity: ${payload.severity}`, `Rule: ${payload.rule}`, `Subject: ${payload.subject}`];
  if (payload.strategy) lines.push(`Strategy: ${payload.strategy}`);
  if (payload.runId) lines.push(`Run: ${payload.runId}`);
  if (payload.scheduleId) lines.push(`Schedule: ${payload.scheduleId}`);
  lines.push(`When: ${payload.occurredAt}`, `Event id: ${payload.eventId}`, '', payload.url);
  return lines.join('\n');
}

function replyCode(response: unknown): number | null {
  const match = typeof response === 'string' ? /^(\d{3})/.exec(response) : null;
  return match ? Number(match[1]) : null;
}

function describe(error: unknown): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  const cause = e.cause?.code ?? e.cause?.message;
  return `${e.message ?? String(error)}${cause ? ` (${cause})` : ''}`.slice(0, 500);
}
