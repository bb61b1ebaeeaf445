import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import * as channelRoute from '@/app/api/alert-channels/[id]/route';
import * as channelTest from '@/app/api/alert-channels/[id]/test/route';
import * as channels from '@/app/api/alert-channels/route';
import * as alerts from '@/app/api/alerts/route';
import * as silences from '@/app/api/alert-silences/route';
import { type Call, errorOf, params, request, signedIn } from '../../support/api';
import { startWebhookReceiver, validSignature } from '../../support/alert-receivers';
import { useTestDatabase } from '../../support/db';
import { sleep } from '../../support/fake-strategy';
import { useTestRuntime } from '../../support/runtime';

const call = (handler: (r: Request, c: never) => Promise<Response>, path: string, c: Call, context?: unknown) => handler(request(path, c), context as never);

describe('the alert channels API', () => {
  it('lets an admin create, list, test, change and delete channels without ever showing a secret again', async () => {
    const { database } = await useTestDatabase();
    await useTestRuntime(database, { env: { KILN_ALERT_RETRY_SECONDS: '1' } });
    const admin = await signedIn(database, 'admin');
    const operator = await signedIn(database, 'operator');
    const hook = await startWebhookReceiver();

    // Refusals write nothing.
    expect((await call(channels.POST, '/api/alert-channels', { session: operator.session, body: { name: 'x', kind: 'webhook', url: hook.url } })).status).toBe(403);
    expect(await errorOf(await call(channels.POST, '/api/alert-channels', { session: admin.session, body: { name: 'x', kind: 'pager' } }))).toMatchObject({ status: 400, field: 'kind' });
    expect(await errorOf(await call(channels.POST, '/api/alert-channels', { session: admin.session, body: { name: 'x', kind: 'email' } }))).toMatchObject({ status: 400, field: 'recipients' });
    expect(await errorOf(await call(channels.POST, '/api/alert-channels', { session: admin.session, body: { name: 'x', kind: 'slack', url: hook.url, secret: 'sixteen-characters-long' } }))).toMatchObject({ status: 400, field: 'secret' });
    expect(await errorOf(await call(channels.POST, '/api/alert-channels', { session: admin.session, body: { name: 'x', kind: 'webhook', url: hook.url, strategies: ['nope'] } }))).toMatchObject({ status: 400, field: 'strategies' });
    expect(await database.rows(sql`select id from alert_channels`)).toEqual([]);

    const created = await call(channels.POST, '/api/alert-channels', { session: admin.session, body: { name: 'ops', kind: 'webhook', url: hook.url } });
    expect(created.status).toBe(201);
    const { channel } = await created.json();
    expect(channel).toMatchObject({ id: expect.any(Number), name: 'ops', kind: 'webhook', url: hook.url, hasSecret: true, rules: null });
    const secret = channel.secret as string;
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect(await errorOf(await call(channels.POST, '/api/alert-channels', { session: admin.session, body: { name: 'ops', kind: 'webhook', url: hook.url } }))).toMatchObject({ status: 409, field: 'name' });

    const slack = await (await call(channels.POST, '/api/alert-channels', { session: admin.session, body: { name: 'slack', kind: 'slack', url: 'https://hooks.slack.com/services/T000/B000/XXXXSECRET' } })).json();
    expect(slack.channel.url).toBe('https://hooks.slack.com/…');

    const listed = await (await call(channels.GET, '/api/alert-channels', { session: admin.session })).text();
    expect(listed).not.toContain(secret);
    expect(listed).not.toContain('XXXXSECRET');
    expect((await call(channels.GET, '/api/alert-channels', { session: operator.session })).status).toBe(403);

    const tested = await call(channelTest.POST, `/api/alert-channels/${channel.id}/test`, { session: admin.session, body: {} }, params(channel.id));
    expect(tested.status).toBe(202);
    const { eventId } = await tested.json();
    for (let i = 0; i < 100 && hook.received.length === 0; i++) await sleep(100);
    expect(hook.received).toHaveLength(1);
    expect(hook.received[0]!.json).toMatchObject({ event: 'test', eventId, severity: 'info' });
    expect(validSignature(hook.received[0]!, secret)).toBe(true);

    const patched = await call(channelRoute.PATCH, `/api/alert-channels/${channel.id}`, { method: 'PATCH', session: admin.session, body: { name: 'ops-2', rules: ['run_failed'], severities: ['critical'] } }, params(channel.id));
    expect(patched.status).toBe(200);
    const after = (await patched.json()).channel;
    expect(after).toMatchObject({ name: 'ops-2', rules: ['run_failed'], severities: ['critical'], hasSecret: true });
    expect(after.lastDelivery).toMatchObject({ ok: true, statusCode: 200, attempt: 1 });
    expect(after.secret).toBeUndefined();

    const overview = await (await call(alerts.GET, '/api/alerts', { session: operator.session })).json();
    expect(overview.channels.map((c: { name: string }) => c.name).sort()).toEqual(['ops-2', 'slack']);
    expect(overview.deliveries[0]).toMatchObject({ event: 'test', ok: true, statusCode: 200 });
    expect(JSON.stringify(overview)).not.toContain(secret);

    const silence = await call(silences.POST, '/api/alert-silences', { session: operator.session, body: { rule: 'run_failed', until: new Date(Date.now() + 3_600_000).toISOString(), reason: 'maintenance' } });
    expect(silence.status).toBe(201);
    expect(await errorOf(await call(silences.POST, '/api/alert-silences', { session: operator.session, body: { until: new Date(Date.now() + 3_600_000).toISOString() } }))).toMatchObject({ status: 400, field: 'rule' });

    expect((await call(channelRoute.DELETE, `/api/alert-channels/${channel.id}`, { method: 'DELETE', session: admin.session }, params(channel.id))).status).toBe(200);
    expect(await database.rows(sql`select name from alert_channels`)).toEqual([{ name: 'slack' }]);
    const audit = await database.rows<{ action: string }>(sql`select action from audit_log where action like 'alert%' order by id`);
    expect(audit.map((a) => a.action)).toEqual(['alert_channel.create', 'alert_channel.create', 'alert_channel.test', 'alert_channel.update', 'alert_silence.create', 'alert_channel.delete']);
  });
});
