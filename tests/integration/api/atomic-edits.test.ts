import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import * as operatorOne from '@/app/api/operators/[id]/route';
import * as scheduleOne from '@/app/api/schedules/[id]/route';
import * as schedules from '@/app/api/schedules/route';
import * as settingsRoute from '@/app/api/settings/route';
import * as strategyOne from '@/app/api/strategies/[name]/route';
import type { Database } from '@/server/db/client';
import { type Call, createOperatorRow, request, signedIn } from '../../support/api';
import { useTestDatabase } from '../../support/db';
import { useTestRuntime } from '../../support/runtime';

type Handler = (r: Request, c: never) => Promise<Response>;
const call = (handler: Handler, path: string, c: Call, context?: unknown) => handler(request(path, c), context as never);
const id = (value: number) => ({ params: Promise.resolve({ id: String(value) }) });
const named = (value: string) => ({ params: Promise.resolve({ name: value }) });
// 40 edits and more in a few seconds: the per-operator change limit is not what these tests are about.
const ENV = { KILN_MUTATION_RATE_LIMIT: '100000' };

async function digest(database: Database, table: string): Promise<string> {
  const [row] = await database.rows<{ d: string }>(sql.raw(`select count(*) || ':' || md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as d from ${table} t`));
  return row!.d;
}

async function auditCount(database: Database): Promise<number> {
  const [row] = await database.rows<{ n: number }>(sql`select count(*)::int as n from audit_log`);
  return row!.n;
}

describe('edits of different fields sent at once', () => {
  it('keep both a pause and a cron change in each of 20 parallel pairs on one schedule', async () => {
    const { database } = await useTestDatabase({ shop: true });
    await useTestRuntime(database, { env: ENV });
    const { session } = await signedIn(database, 'operator');
    const created = await call(schedules.POST, '/api/schedules', { session, body: { name: 'Raced', cron: '0 * * * *', scope: { all: true } } });
    const scheduleId: number = (await created.json()).schedule.id;
    const patch = (body: unknown) => call(scheduleOne.PATCH, `/api/schedules/${scheduleId}`, { method: 'PATCH', session, body }, id(scheduleId));

    const lost: string[] = [];
    for (let i = 0; i < 20; i++) {
      expect((await patch({ enabled: true, cron: '0 * * * *' })).status).toBe(200);
      const cron = `${i} 3 * * *`;
      const answers = await Promise.all([patch({ enabled: false }), patch({ cron })]);
      expect(answers.map((a) => a.status)).toEqual([200, 200]);
      const [row] = await database.rows<{ enabled: boolean; cron: string }>(sql`select enabled, cron from schedules where id = ${scheduleId}`);
      if (row!.enabled) lost.push(`pair ${i}: the pause`);
      if (row!.cron !== cron) lost.push(`pair ${i}: the cron ${cron}`);
    }
    expect(lost).toEqual([]);
    // Each accepted edit is audited once: 20 resets (updates), 20 pauses, 20 cron edits.
    const actions = await database.rows<{ action: string; n: number }>(sql`select action, count(*)::int as n from audit_log where target = ${`schedule:${scheduleId}`} group by action order by action`);
    expect(actions).toEqual([
      { action: 'schedule.create', n: 1 },
      { action: 'schedule.pause', n: 20 },
      { action: 'schedule.update', n: 40 },
    ]);
    const [row] = await database.rows<{ version: number }>(sql`select version from schedules where id = ${scheduleId}`);
    expect(row!.version).toBe(1 + 60);
  });

  it('keep both a priority and a TTL change in each of 20 parallel pairs on one strategy', async () => {
    const { database } = await useTestDatabase({ shop: true });
    await useTestRuntime(database, { env: ENV });
    const { session } = await signedIn(database, 'operator');
    const patch = (body: unknown) => call(strategyOne.PATCH, '/api/strategies/categories', { method: 'PATCH', session, body }, named('categories'));

    const lost: string[] = [];
    for (let i = 0; i < 20; i++) {
      const priority = 200 + i;
      const ttlSeconds = 600 + i;
      const answers = await Promise.all([patch({ priority }), patch({ ttlSeconds })]);
      expect(answers.map((a) => a.status)).toEqual([200, 200]);
      const [row] = await database.rows<{ priority: number; ttl_seconds: number }>(sql`select priority, ttl_seconds from strategy_settings where strategy = 'categories'`);
      if (row!.priority !== priority) lost.push(`pair ${i}: priority ${priority} (kept ${row!.priority})`);
      if (row!.ttl_seconds !== ttlSeconds) lost.push(`pair ${i}: TTL ${ttlSeconds} (kept ${row!.ttl_seconds})`);
    }
    expect(lost).toEqual([]);
    const [audits] = await database.rows<{ n: number }>(sql`select count(*)::int as n from audit_log where action = 'strategy.update'`);
    expect(audits!.n).toBe(40);
  });
});

describe('an edit based on a stale view (If-Match)', () => {
  it('is refused for a schedule with 412 and the current schedule, writing nothing', async () => {
    const { database } = await useTestDatabase({ shop: true });
    await useTestRuntime(database, { env: ENV });
    const { session } = await signedIn(database, 'operator');
    const created = await call(schedules.POST, '/api/schedules', { session, body: { name: 'Watched', cron: '0 * * * *', scope: { all: true } } });
    const scheduleId: number = (await created.json()).schedule.id;
    const path = `/api/schedules/${scheduleId}`;

    const shown = await call(scheduleOne.GET, path, { session }, id(scheduleId));
    const tag = shown.headers.get('etag')!;
    expect(tag).toBe(`"${(await shown.json()).schedule.version}"`);
    // Someone else changes the cron (from the same view: accepted, a new version).
    const first = await call(scheduleOne.PATCH, path, { method: 'PATCH', session, body: { cron: '30 * * * *' }, headers: { 'if-match': tag } }, id(scheduleId));
    expect(first.status).toBe(200);
    expect(first.headers.get('etag')).not.toBe(tag);

    const before = { schedules: await digest(database, 'schedules'), audit: await auditCount(database) };
    const stale = await call(scheduleOne.PATCH, path, { method: 'PATCH', session, body: { enabled: false }, headers: { 'if-match': tag } }, id(scheduleId));
    expect(stale.status).toBe(412);
    const body = await stale.json();
    expect(body.error).toMatchObject({ code: 'precondition_failed', field: 'If-Match' });
    expect(body.current).toMatchObject({ id: scheduleId, cron: '30 * * * *', enabled: true });
    expect(stale.headers.get('etag')).toBe(first.headers.get('etag'));
    expect({ schedules: await digest(database, 'schedules'), audit: await auditCount(database) }).toEqual(before);

    // Re-applied on the current version, it holds; a malformed If-Match names the header.
    const again = await call(scheduleOne.PATCH, path, { method: 'PATCH', session, body: { enabled: false }, headers: { 'if-match': first.headers.get('etag')! } }, id(scheduleId));
    expect(again.status).toBe(200);
    expect((await again.json()).schedule).toMatchObject({ enabled: false, cron: '30 * * * *' });
    const bad = await call(scheduleOne.PATCH, path, { method: 'PATCH', session, body: { enabled: true }, headers: { 'if-match': 'yesterday' } }, id(scheduleId));
    expect(bad.status).toBe(400);
  });

  it('is refused for a strategy, the settings and an operator with 412, writing nothing', async () => {
    const { database } = await useTestDatabase({ shop: true });
    await useTestRuntime(database, { env: ENV });
    const admin = await signedIn(database, 'admin');
    const session = admin.session;

    // A strategy never edited is version 0; an edit from that view is accepted once.
    const s1 = await call(strategyOne.PATCH, '/api/strategies/sessions', { method: 'PATCH', session, body: { priority: 30 }, headers: { 'if-match': '"0"' } }, named('sessions'));
    expect(s1.status).toBe(200);
    expect((await s1.json()).strategy).toMatchObject({ priority: 30, version: 1 });
    let before = { table: await digest(database, 'strategy_settings'), audit: await auditCount(database) };
    const s2 = await call(strategyOne.PATCH, '/api/strategies/sessions', { method: 'PATCH', session, body: { ttlSeconds: 99 }, headers: { 'if-match': '"0"' } }, named('sessions'));
    expect(s2.status).toBe(412);
    expect((await s2.json()).current).toMatchObject({ name: 'sessions', priority: 30, version: 1 });
    expect({ table: await digest(database, 'strategy_settings'), audit: await auditCount(database) }).toEqual(before);
    // A stale If-Match on a strategy with no row yet leaves no row behind.
    const s3 = await call(strategyOne.PATCH, '/api/strategies/categories', { method: 'PATCH', session, body: { ttlSeconds: 99 }, headers: { 'if-match': '"4"' } }, named('categories'));
    expect(s3.status).toBe(412);
    expect({ table: await digest(database, 'strategy_settings'), audit: await auditCount(database) }).toEqual(before);

    const shown = await call(settingsRoute.GET, '/api/settings', { session });
    const tag = shown.headers.get('etag')!;
    expect((await call(settingsRoute.PATCH, '/api/settings', { method: 'PATCH', session, body: { batchSize: 250 }, headers: { 'if-match': tag } })).status).toBe(200);
    before = { table: await digest(database, 'settings'), audit: await auditCount(database) };
    const stale = await call(settingsRoute.PATCH, '/api/settings', { method: 'PATCH', session, body: { maxConcurrency: 7 }, headers: { 'if-match': tag } });
    expect(stale.status).toBe(412);
    expect((await stale.json()).current).toMatchObject({ batchSize: 250, maxConcurrency: 20 });
    expect({ table: await digest(database, 'settings'), audit: await auditCount(database) }).toEqual(before);

    const otherId = await createOperatorRow(database, { email: 'viewer@example.com', role: 'viewer' });
    const op = await call(operatorOne.GET, `/api/operators/${otherId}`, { session }, id(otherId));
    const opTag = op.headers.get('etag')!;
    expect((await call(operatorOne.PATCH, `/api/operators/${otherId}`, { method: 'PATCH', session, body: { name: 'Vera' }, headers: { 'if-match': opTag } }, id(otherId))).status).toBe(200);
    before = { table: await digest(database, 'operators'), audit: await auditCount(database) };
    const staleOp = await call(operatorOne.PATCH, `/api/operators/${otherId}`, { method: 'PATCH', session, body: { role: 'operator' }, headers: { 'if-match': opTag } }, id(otherId));
    expect(staleOp.status).toBe(412);
    expect((await staleOp.json()).current).toMatchObject({ name: 'Vera', role: 'viewer' });
    expect({ table: await digest(database, 'operators'), audit: await auditCount(database) }).toEqual(before);
  });
});
