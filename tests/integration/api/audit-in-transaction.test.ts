import { Writable } from 'node:stream';
import pino from 'pino';
import { sql } from 'drizzle-orm';
import { describe, expect, it, onTestFinished } from 'vitest';
import * as cancel from '@/app/api/runs/[id]/cancel/route';
import * as runs from '@/app/api/runs/route';
import * as scheduleOne from '@/app/api/schedules/[id]/route';
import * as runNow from '@/app/api/schedules/[id]/run/route';
import * as schedules from '@/app/api/schedules/route';
import * as settingsRoute from '@/app/api/settings/route';
import * as strategyOne from '@/app/api/strategies/[name]/route';
import type { Database } from '@/server/db/client';
import { requestLogFields } from '@/server/http/request-context';
import { installProcessLogger, processLogger } from '@/server/logger';
import { type Call, request, signedIn } from '../../support/api';
import { useTestDatabase } from '../../support/db';
import { useTestRuntime } from '../../support/runtime';

type Handler = (r: Request, c: never) => Promise<Response>;
const call = (handler: Handler, path: string, c: Call, context?: unknown) => handler(request(path, c), context as never);
const id = (value: number | string) => ({ params: Promise.resolve({ id: String(value) }) });
const named = (value: string) => ({ params: Promise.resolve({ name: value }) });
// Runs stay `running` (no workers here), so a cancel has something to cancel.
const OPTIONS = { workers: false, env: { KILN_MUTATION_RATE_LIMIT: '100000' } };

/** Every table a change of these use cases may write, fingerprinted. */
async function state(database: Database): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of ['runs', 'strategy_locks', 'run_shards', 'schedules', 'settings', 'strategy_settings', 'audit_log']) {
    const [row] = await database.rows<{ d: string }>(sql.raw(`select count(*) || ':' || md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as d from ${table} t`));
    out[table] = row!.d;
  }
  return out;
}

/** The 500s these tests cause are logged by the process logger: kept off the test's output. */
function quietProcessLogger(): void {
  const previous = processLogger();
  installProcessLogger(pino({ level: 'silent' }));
  onTestFinished(() => installProcessLogger(previous));
}

/** From now on, Postgres refuses every audit row (as a full disk or a bad deploy might). */
async function refuseAuditRows(database: Database): Promise<void> {
  await database.rows(sql.raw(`
    create function test_refuse_audit() returns trigger language plpgsql as $$ begin raise exception 'audit_log refused by the test'; end $$;
    create trigger test_refuse_audit before insert on audit_log for each row execute function test_refuse_audit();`));
}

describe('an audit row and the change it records', () => {
  it('are kept together: when the audit row cannot be written, no run, cancel, schedule or setting change is kept', async () => {
    quietProcessLogger();
    const { database } = await useTestDatabase({ shop: true });
    await useTestRuntime(database, OPTIONS);
    const { session } = await signedIn(database, 'operator');
    const created = await call(schedules.POST, '/api/schedules', { session, body: { name: 'Audited', cron: '0 * * * *', scope: { strategies: ['categories'] } } });
    const scheduleId: number = (await created.json()).schedule.id;
    const started = await call(runs.POST, '/api/runs', { session, body: { scope: { strategies: ['sessions'] } } });
    expect(started.status).toBe(202);
    const { runId } = await started.json();

    await refuseAuditRows(database);
    const before = await state(database);
    const attempts: [string, Promise<Response>][] = [
      ['trigger', call(runs.POST, '/api/runs', { session, body: { scope: { strategies: ['hot_products'] } } })],
      ['cancel', call(cancel.POST, `/api/runs/${runId}/cancel`, { session, body: {} }, id(runId))],
      ['create schedule', call(schedules.POST, '/api/schedules', { session, body: { name: 'Unaudited', cron: '0 3 * * *', scope: { all: true } } })],
      ['pause schedule', call(scheduleOne.PATCH, `/api/schedules/${scheduleId}`, { method: 'PATCH', session, body: { enabled: false } }, id(scheduleId))],
      ['delete schedule', call(scheduleOne.DELETE, `/api/schedules/${scheduleId}`, { method: 'DELETE', session }, id(scheduleId))],
      ['run schedule now', call(runNow.POST, `/api/schedules/${scheduleId}/run`, { session, body: {} }, id(scheduleId))],
      ['strategy', call(strategyOne.PATCH, '/api/strategies/categories', { method: 'PATCH', session, body: { priority: 3 } }, named('categories'))],
      ['settings', call(settingsRoute.PATCH, '/api/settings', { method: 'PATCH', session, body: { batchSize: 42 } })],
    ];
    for (const [what, attempt] of attempts) expect((await attempt).status, what).toBe(500);
    expect(await state(database)).toEqual(before);
    const [run] = await database.rows<{ status: string; cancel_requested_at: string | null }>(sql`select status, cancel_requested_at from runs where id = ${runId}::uuid`);
    expect(run).toEqual({ status: 'running', cancel_requested_at: null });
  });

  it('are kept together: a change that fails when it commits leaves no audit row', async () => {
    quietProcessLogger();
    const { database } = await useTestDatabase({ shop: true });
    await useTestRuntime(database, OPTIONS);
    const { session } = await signedIn(database, 'operator');
    const created = await call(schedules.POST, '/api/schedules', { session, body: { name: 'Doomed', cron: '0 * * * *', scope: { all: true } } });
    const scheduleId: number = (await created.json()).schedule.id;
    // Deferred: checked at commit, after every insert of the transaction (the audit row's included).
    await database.rows(sql.raw(`
      create function test_refuse_commit() returns trigger language plpgsql as $$ begin raise exception 'refused at commit by the test'; end $$;
      create constraint trigger test_refuse_run after insert on runs deferrable initially deferred for each row execute function test_refuse_commit();
      create constraint trigger test_refuse_schedule after update on schedules deferrable initially deferred for each row execute function test_refuse_commit();`));
    const before = await state(database);
    expect((await call(runs.POST, '/api/runs', { session, body: { scope: { strategies: ['categories'] } } })).status).toBe(500);
    expect((await call(scheduleOne.PATCH, `/api/schedules/${scheduleId}`, { method: 'PATCH', session, body: { enabled: false } }, id(scheduleId))).status).toBe(500);
    expect(await state(database)).toEqual(before);
  });
});

describe('one id per request', () => {
  it('is shared by its log lines, its audit row and a 500\u2019s body', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({ write: (chunk, _encoding, done) => (lines.push(JSON.parse(String(chunk))), done()) });
    const logger = pino({ level: 'info', mixin: requestLogFields }, sink);
    const previous = processLogger();
    installProcessLogger(logger);
    onTestFinished(() => installProcessLogger(previous));
    const { database } = await useTestDatabase({ shop: true });
    await useTestRuntime(database, { ...OPTIONS, logger });
    const { session } = await signedIn(database, 'operator');

    const ok = await call(runs.POST, '/api/runs', { session, body: { scope: { strategies: ['categories'] } }, headers: { 'x-request-id': 'req-trigger-0001' } });
    expect(ok.status).toBe(202);
    const { runId } = await ok.json();
    const [audit] = await database.rows<{ request_id: string | null }>(sql`select request_id from audit_log where target = ${`run:${runId}`}`);
    expect(audit!.request_id).toBe('req-trigger-0001');
    const queued = lines.filter((l) => l.runId === runId && /Run queued/.test(String(l.msg)));
    expect(queued).toHaveLength(1);
    expect(queued[0]!.requestId).toBe('req-trigger-0001');

    await refuseAuditRows(database);
    const failed = await call(settingsRoute.PATCH, '/api/settings', { method: 'PATCH', session, body: { batchSize: 42 }, headers: { 'x-request-id': 'req-broken-0002' } });
    expect(failed.status).toBe(500);
    const body = await failed.json();
    expect(body.error).toMatchObject({ code: 'internal', requestId: 'req-broken-0002' });
    expect(JSON.stringify(body)).not.toMatch(/audit_log refused/);
    const logged = lines.filter((l) => l.requestId === 'req-broken-0002');
    expect(logged.map((l) => l.msg)).toContain('Unhandled error in a route handler');
  });
});
