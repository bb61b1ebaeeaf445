import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { channelAccepts, incidentPayload } from '@/server/alerts/incidents';
import { signBody, slackMessage } from '@/server/alerts/senders';
import { parseConfig } from '@/server/config';
import type { AlertIncident } from '@/server/db/schema';

const config = { alerts: parseConfig({}).alerts, edge: { trustedProxies: [], publicOrigin: 'https://kiln.example.com' }, port: 3000 };
const incident: AlertIncident = {
  id: 7,
  rule: 'run_failed',
  subject: 'strategy:hot_products',
  severity: 'critical',
  status: 'open',
  title: 'Warmup of hot_products ended failed',
  text: 'Run r1 ended failed',
  details: { runId: '8d1e0000-0000-4000-8000-000000000001', strategy: 'hot_products', scheduleId: 3, path: '/runs/8d1e0000-0000-4000-8000-000000000001' },
  openedAt: new Date('2026-12-02T06:00:00Z'),
  closedAt: null,
  closedReason: null,
  notified: true,
  lastNotifiedAt: null,
};

describe('alert payloads', () => {
  it('carry the event, the ids that apply and the dashboard URL from KILN_PUBLIC_URL', () => {
    const payload = incidentPayload(config, incident, 'incident.opened', 'e1', new Date('2026-12-02T06:00:01Z'));
    expect(payload).toEqual({
      eventId: 'e1',
      event: 'incident.opened',
      rule: 'run_failed',
      subject: 'strategy:hot_products',
      severity: 'critical',
      title: 'Warmup of hot_products ended failed',
      text: 'Run r1 ended failed',
      occurredAt: '2026-12-02T06:00:01.000Z',
      url: 'https://kiln.example.com/runs/8d1e0000-0000-4000-8000-000000000001',
      incidentId: 7,
      runId: '8d1e0000-0000-4000-8000-000000000001',
      scheduleId: 3,
      strategy: 'hot_products',
    });
    const resolved = incidentPayload(config, incident, 'incident.resolved', 'e2', new Date(), 'Run r2 of hot_products succeeded');
    expect(resolved.title).toBe('Resolved: Warmup of hot_products ended failed');
    expect(resolved.text).toContain('Run r2 of hot_products succeeded');
  });

  it('are signed with HMAC-SHA256 of the exact body', () => {
    const body = JSON.stringify({ a: 1 });
    expect(signBody(body, 'secret')).toBe(`sha256=${createHmac('sha256', 'secret').update(body).digest('hex')}`);
    expect(signBody(body + ' ', 'secret')).not.toBe(signBody(body, 'secret'));
  });

  it('become a Slack message with fallback text, escaped markup and a link', () => {
    const message = slackMessage({ ...incidentPayload(config, incident, 'incident.opened', 'e1', new Date()), text: 'a <b> & c' });
    expect(message.text).toContain('Warmup of hot_products ended failed');
    expect(JSON.stringify(message.blocks)).toContain('a &lt;b&gt; &amp; c');
    expect(JSON.stringify(message.blocks)).toContain('<https://kiln.example.com/runs/');
  });
});

describe('channel filters', () => {
  const all = { enabled: true, rules: null, strategies: null, severities: null };
  it('let everything through by default, and narrow by rule, strategy and severity', () => {
    expect(channelAccepts(all, incident)).toBe(true);
    expect(channelAccepts({ ...all, enabled: false }, incident)).toBe(false);
    expect(channelAccepts({ ...all, rules: ['run_late'] }, incident)).toBe(false);
    expect(channelAccepts({ ...all, rules: ['run_failed'] }, incident)).toBe(true);
    expect(channelAccepts({ ...all, strategies: ['sessions'] }, incident)).toBe(false);
    expect(channelAccepts({ ...all, severities: ['critical'] }, incident)).toBe(true);
    expect(channelAccepts({ ...all, severities: ['warning'] }, incident)).toBe(false);
    // A strategy filter does not drop incidents about no strategy (the cache, a schedule).
    expect(channelAccepts({ ...all, strategies: ['sessions'] }, { ...incident, details: {} })).toBe(true);
  });
});

describe('alert configuration', () => {
  it('has defaults, reads the SMTP variables, and names a bad value', () => {
    expect(parseConfig({}).smtp).toBeNull();
    expect(parseConfig({}).alerts).toEqual({ evaluateSeconds: 15, lateFactor: 3, slotGraceSeconds: 300, downSeconds: 60, remindHours: 0, governorFloorMinutes: 5, retrySeconds: 15, retryLimit: 10 });
    expect(parseConfig({ KILN_SMTP_HOST: 'smtp.example.com', KILN_SMTP_TLS: 'implicit', KILN_ALERT_LATE_FACTOR: '1.5' })).toMatchObject({ smtp: { host: 'smtp.example.com', port: 465, tls: 'implicit' }, alerts: { lateFactor: 1.5 } });
    expect(() => parseConfig({ KILN_SMTP_TLS: 'maybe' })).toThrow(/KILN_SMTP_TLS/);
    expect(() => parseConfig({ KILN_ALERT_LATE_FACTOR: '0.5' })).toThrow(/KILN_ALERT_LATE_FACTOR/);
    expect(parseConfig({ KILN_ALERT_GOVERNOR_FLOOR_MINUTES: '10' }).alerts.governorFloorMinutes).toBe(10);
    expect(() => parseConfig({ KILN_ALERT_GOVERNOR_FLOOR_MINUTES: '0' })).toThrow(/KILN_ALERT_GOVERNOR_FLOOR_MINUTES/);
  });
});
