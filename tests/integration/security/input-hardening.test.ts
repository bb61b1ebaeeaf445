import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import * as audit from '@/app/api/audit/route';
import * as operators from '@/app/api/operators/route';
import * as runs from '@/app/api/runs/route';
import * as schedules from '@/app/api/schedules/route';
import * as settings from '@/app/api/settings/route';
import * as strategy from '@/app/api/strategies/[name]/route';
import type { Database } from '@/server/db/client';
import { MAX_JSON_DEPTH } from '@/server/http/safe-json';
import { type Call, errorOf, request, signedIn } from '../../support/api';
import { useTestDatabase } from '../../support/db';
import { useTestRuntime } from '../../support/runtime';

type Handler = (request: Request, context: never) => Promise<Response>;

async function setup() {
  const { database } = await useTestDatabase({ shop: true });
  await useTestRuntime(database);
  const admin = await signedIn(database, 'admin');
  return { database, admin };
}

/** Every table a change could touch, to assert that a refused request touched none. */
async function digest(database: Database): Promise<string> {
  const parts: string[] = [];
  for (const table of ['runs', 'schedules', 'settings', 'strategy_settings', 'operators', 'api_tokens', 'audit_log', 'rate_limits']) {
    const [row] = await database.rows<{ d: string }>(sql.raw(`select count(*) || ':' || md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as d from ${table} t`));
    parts.push(`${table}=${row!.d}`);
  }
  return parts.join(' ');
}

const send = (handler: Handler, path: string, call: Call, context?: unknown) => handler(request(path, call), context as never);

describe('input hardening, in one place for every route', () => {
  it('refuses a NUL character in a JSON string, a key, a query parameter or a path parameter with 400 naming the field', async () => {
    const { database, admin } = await setup();
    const before = await digest(database);
    const session = admin.session;
    const cases: [Promise<Response>, string][] = [
      [send(schedules.POST as Handler, '/api/schedules', { session, body: { name: 'nightly\u0000', cron: '0 2 * * *', scope: { all: true } } }), 'name'],
      [send(operators.POST as Handler, '/api/operators', { session, body: { email: 'x@example.com', name: 'X\u0000', role: 'viewer', password: 'long enough password' } }), 'name'],
      [send(runs.POST as Handler, '/api/runs', { session, body: { scope: { strategies: ['hot_products\u0000'] } } }), 'scope.strategies.0'],
      [send(settings.PATCH as Handler, '/api/settings', { session, method: 'PATCH', rawBody: '{"max\\u0000Concurrency": 3}' }), 'max\u0000Concurrency'],
      [send(audit.GET as Handler, '/api/audit?actor=ad%00min', { session }), 'actor'],
      [send(runs.GET as Handler, '/api/runs?strategy=hot%00', { session }), 'strategy'],
      [send(strategy.PATCH as Handler, '/api/strategies/hot%00', { session, method: 'PATCH', body: { priority: 5 } }, { params: Promise.resolve({ name: 'hot\u0000' }) }), 'name'],
    ];
    for (const [response, field] of cases) {
      const error = await errorOf(await response);
      expect(error, field).toMatchObject({ status: 400, code: 'invalid_request', field });
      expect(error.message).toContain('NUL');
    }
    expect(await digest(database)).toEqual(before);
  });

  it('refuses a body nested 5,000 levels deep at once, naming where, with a short message', async () => {
    const { database, admin } = await setup();
    const before = await digest(database);
    const deep = `{"name": "deep", "cron": "0 2 * * *", "scope": ${'['.repeat(5000)}${']'.repeat(5000)}}`;
    const started = performance.now();
    const error = await errorOf(await send(schedules.POST as Handler, '/api/schedules', { session: admin.session, rawBody: deep }));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(error).toMatchObject({ status: 400, code: 'invalid_request' });
    expect(error.field).toMatch(/^scope(\.0)+$/);
    expect(error.message).toContain(`nested deeper than ${MAX_JSON_DEPTH} levels`);
    expect(error.message.length).toBeLessThan(200);
    expect(await digest(database)).toEqual(before);
  });

  it('refuses a key given twice and a __proto__ key, naming the field, instead of keeping the last silently', async () => {
    const { database, admin } = await setup();
    const before = await digest(database);
    const session = admin.session;
    const twice = await errorOf(await send(runs.POST as Handler, '/api/runs', { session, rawBody: '{"scope": {"strategies": ["categories"]}, "scope": {"all": true}}' }));
    expect(twice).toMatchObject({ status: 400, field: 'scope' });
    expect(twice.message).toContain('more than once');
    const nested = await errorOf(await send(runs.POST as Handler, '/api/runs', { session, rawBody: '{"scope": {"all": true, "all": false}}' }));
    expect(nested).toMatchObject({ status: 400, field: 'scope.all' });
    const proto = await errorOf(await send(settings.PATCH as Handler, '/api/settings', { session, method: 'PATCH', rawBody: '{"__proto__": {"maxConcurrency": 1}}' }));
    expect(proto).toMatchObject({ status: 400, field: '__proto__' });
    const deepProto = await errorOf(await send(runs.POST as Handler, '/api/runs', { session, rawBody: '{"scope": {"__proto__": {"all": true}}}' }));
    expect(deepProto).toMatchObject({ status: 400, field: 'scope.__proto__' });
    expect(({} as Record<string, unknown>).maxConcurrency).toBeUndefined();
    expect(await digest(database)).toEqual(before);
  });

  it('quotes at most about 100 characters of a bad value in any message', async () => {
    const { database, admin } = await setup();
    const before = await digest(database);
    const session = admin.session;
    const huge = 'z'.repeat(20_000);
    const responses = [
      await send(schedules.POST as Handler, '/api/schedules', { session, body: { name: 'n', cron: '0 2 * * *', scope: { all: true }, timezone: huge } }),
      await send(schedules.POST as Handler, '/api/schedules', { session, body: { name: 'n', cron: '0 2 * * *', scope: { [huge]: true } } }),
      await send(schedules.POST as Handler, '/api/schedules', { session, body: { name: 'n', cron: '0 2 * * *', scope: { all: true }, enabled: huge } }),
      await send(runs.POST as Handler, '/api/runs', { session, body: { scope: { all: true }, [huge]: 1 } }),
      await send(runs.POST as Handler, '/api/runs', { session, body: { scope: { all: true } }, contentType: `text/${huge}` }),
    ];
    for (const response of responses) {
      const error = await errorOf(response);
      expect(error.status).toBeGreaterThanOrEqual(400);
      expect(error.status).toBeLessThan(500);
      expect(error.message.length, error.message.slice(0, 80)).toBeLessThanOrEqual(300);
      expect(error.message).not.toContain('z'.repeat(120));
      expect((error.field ?? '').length).toBeLessThanOrEqual(101);
    }
    expect(await digest(database)).toEqual(before);
  });
});
