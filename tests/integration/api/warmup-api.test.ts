import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import * as adminStats from '@/app/api/admin/warmup/stats/route';
import * as adminWarmup from '@/app/api/admin/warmup/[target]/route';
import * as metrics from '@/app/api/metrics/route';
import * as runCancel from '@/app/api/runs/[id]/cancel/route';
import * as runEvents from '@/app/api/runs/[id]/events/route';
import * as runRetry from '@/app/api/runs/[id]/retry/route';
import * as runDetail from '@/app/api/runs/[id]/route';
import * as runs from '@/app/api/runs/route';
import * as settings from '@/app/api/settings/route';
import * as stats from '@/app/api/stats/route';
import * as status from '@/app/api/status/route';
import * as strategy from '@/app/api/strategies/[name]/route';
import * as strategies from '@/app/api/strategies/route';
import type { Database } from '@/server/db/client';
import { type Call, auditRows, errorOf, request, signedIn } from '../../support/api';
import { useTestDatabase } from '../../support/db';
import { fakeStrategy, sleep } from '../../support/fake-strategy';
import { useTestRuntime } from '../../support/runtime';

const id = (value: string) => ({ params: Promise.resolve({ id: value }) });
const named = (value: string) => ({ params: Promise.resolve({ name: value }) });
const target = (value: string) => ({ params: Promise.resolve({ target: value }) });
const SOME_RUN = '00000000-0000-4000-8000-000000000001';

async function setup() {
  const { database } = await useTestDatabase({ shop: true });
  const runtime = await useTestRuntime(database);
  const viewer = await signedIn(database, 'viewer');
  const operator = await signedIn(database, 'operator');
  return { database, runtime, viewer, operator };
}

async function call(handler: (r: Request, c: never) => Promise<Response>, path: string, c: Call, context?: unknown) {
  return handler(request(path, c), context as never);
}

async function waitForRun(database: Database, runId: string) {
  for (let i = 0; i < 200; i++) {
    const [row] = await database.rows<{ status: string }>(sql`select status from runs where id = ${runId}::uuid`);
    if (row && row.status !== 'running') return row.status;
    await sleep(50);
  }
  throw new Error(`run ${runId} did not end`);
}

/** A digest of the warmup tables, to check that a refused request changed nothing. */
async function warmupDigest(database: Database): Promise<string> {
  const parts: string[] = [];
  for (const table of ['runs', 'strategy_settings', 'settings', 'strategy_locks']) {
    const [row] = await database.rows<{ d: string }>(sql.raw(`select count(*) || ':' || md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as d from ${table} t`));
    parts.push(row!.d);
  }
  return parts.join(' ');
}

describe('the warmup API', () => {
  it('answers 401 without credentials on every endpoint, and 403 to a viewer\u2019s change even with x-middleware-subrequest', async () => {
    const { viewer } = await setup();
    const endpoints: [string, (r: Request, c: never) => Promise<Response>, string, unknown, unknown?][] = [
      ['GET', runs.GET, '/api/runs', undefined],
      ['POST', runs.POST, '/api/runs', undefined, { scope: { all: true } }],
      ['GET', runDetail.GET, `/api/runs/${SOME_RUN}`, id(SOME_RUN)],
      ['POST', runCancel.POST, `/api/runs/${SOME_RUN}/cancel`, id(SOME_RUN), {}],
      ['POST', runRetry.POST, `/api/runs/${SOME_RUN}/retry`, id(SOME_RUN), {}],
      ['GET', runEvents.GET, `/api/runs/${SOME_RUN}/events`, id(SOME_RUN)],
      ['GET', strategies.GET, '/api/strategies', undefined],
      ['PATCH', strategy.PATCH, '/api/strategies/hot_products', named('hot_products'), { priority: 5 }],
      ['GET', settings.GET, '/api/settings', undefined],
      ['PATCH', settings.PATCH, '/api/settings', undefined, { maxConcurrency: 5 }],
      ['GET', stats.GET, '/api/stats', undefined],
      ['GET', metrics.GET, '/api/metrics', undefined],
      ['GET', status.GET, '/api/status', undefined],
      ['POST', adminWarmup.POST, '/api/admin/warmup/all', target('all'), {}],
      ['GET', adminStats.GET, '/api/admin/warmup/stats', undefined],
    ];
    for (const [method, handler, path, context, body] of endpoints) {
      const anonymous = await call(handler, path, { method, body }, context);
      expect(anonymous.status, `${method} ${path}`).toBe(401);
      if (method !== 'GET') {
        const denied = await call(handler, path, { method, body, session: viewer.session, headers: { 'x-middleware-subrequest': 'middleware:middleware:middleware:middleware:middleware' } }, context);
        expect(denied.status, `${method} ${path} as viewer`).toBe(403);
      }
    }
  });

  it('starts a run for an operator (202), refuses a second one of a busy strategy with 409 naming it, and audits both', async () => {
    const { database, operator } = await setup();
    const first = await call(runs.POST, '/api/runs', { session: operator.session, body: { scope: { strategies: ['hot_products'] }, concurrency: 2 } });
    expect(first.status).toBe(202);
    const { runId, strategies: names } = await first.json();
    expect(names).toEqual(['hot_products']);
    const second = await call(runs.POST, '/api/runs', { session: operator.session, body: { scope: { tags: ['catalog'] } } });
    const refusal = await errorOf(second);
    if (refusal.status === 409) {
      expect(refusal.message).toMatch(/^Already being warmed: hot_products/);
    } else {
      // The first run was fast enough to end already: the second one simply started.
      expect(refusal.status).toBe(202);
    }
    expect(await waitForRun(database, runId)).toBe('succeeded');
    const audit = await auditRows(database, sql`action = 'run.trigger'`);
    expect(audit[0]).toMatchObject({ actor: operator.email, action: 'run.trigger', target: `run:${runId}`, outcome: 'ok' });
  });

  it('runs the seed\u2019s POST /admin/warmup/{target} for a strategy, a tag or all, and 404s an unknown target', async () => {
    const { database, operator } = await setup();
    const bare = new Request('http://localhost/api/admin/warmup/categories', { method: 'POST', headers: { cookie: `kiln_session=${operator.session}`, origin: 'http://localhost' } });
    const started = await adminWarmup.POST(bare, target('categories'));
    expect(started.status).toBe(202);
    const body = await started.json();
    expect(body.strategies).toEqual(['categories']);
    await waitForRun(database, body.runId);
    const byTag = await call(adminWarmup.POST, '/api/admin/warmup/identity', { session: operator.session, body: { dryRun: true } }, target('identity'));
    expect((await byTag.json()).strategies).toEqual(['sessions']);
    expect(await errorOf(await call(adminWarmup.POST, '/api/admin/warmup/nope', { session: operator.session, body: {} }, target('nope')))).toMatchObject({ status: 404, field: 'target' });
    const summary = await (await call(adminStats.GET, '/api/admin/warmup/stats', { session: operator.session })).json();
    expect(summary.strategies.map((s: { name: string }) => s.name)).toEqual(['hot_products', 'recommendations', 'categories', 'sessions', 'product_catalog']);
    expect(summary.lastWarmup).toMatchObject({ runId: body.runId, status: 'succeeded' });
  });

  it('lists runs, shows one, streams its events, cancels a running one and retries failed keys', async () => {
    const { database } = await useTestDatabase();
    const slow = fakeStrategy({ name: 'slow_one', keys: Array.from({ length: 400 }, (_, i) => `s:${i}`), count: true, value: async (k) => { await sleep(10); return k; } });
    const flaky = fakeStrategy({ name: 'flaky', priority: 90, keys: ['f:1', 'f:2', 'f:3'], value: (k) => { if (k === 'f:2') throw new Error('row f:2 is broken'); return k; } });
    await useTestRuntime(database, { strategies: [slow, flaky] });
    const operator = await signedIn(database, 'operator');

    const flakyRun = (await (await call(runs.POST, '/api/runs', { session: operator.session, body: { scope: { strategies: ['flaky'] } } })).json()).runId;
    expect(await waitForRun(database, flakyRun)).toBe('partial');
    const detail = (await (await call(runDetail.GET, `/api/runs/${flakyRun}`, { session: operator.session }, id(flakyRun))).json()).run;
    expect(detail.failures).toEqual([expect.objectContaining({ strategy: 'flaky', key: 'f:2', error: 'row f:2 is broken' })]);
    const retry = await call(runRetry.POST, `/api/runs/${flakyRun}/retry`, { session: operator.session, body: {} }, id(flakyRun));
    expect(retry.status).toBe(202);
    const retried = await retry.json();
    expect(retried).toMatchObject({ strategies: ['flaky'], keys: 1 });
    await waitForRun(database, retried.runId);
    const [retryRow] = await database.rows<{ trigger: string; retry_of: string; total: number }>(sql`select trigger, retry_of::text, total::int from runs where id = ${retried.runId}::uuid`);
    expect(retryRow).toEqual({ trigger: 'retry', retry_of: flakyRun, total: 1 });

    const slowRun = (await (await call(runs.POST, '/api/runs', { session: operator.session, body: { scope: { strategies: ['slow_one'] }, concurrency: 1 } })).json()).runId;
    const events = await call(runEvents.GET, `/api/runs/${slowRun}/events`, { session: operator.session }, id(slowRun));
    expect(events.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = events.body!.getReader();
    let text = '';
    while (!text.includes('event: progress')) text += new TextDecoder().decode((await reader.read()).value);
    const cancel = await call(runCancel.POST, `/api/runs/${slowRun}/cancel`, { session: operator.session, body: {} }, id(slowRun));
    expect(cancel.status).toBe(202);
    while (!text.includes('event: end')) {
      const chunk = await reader.read();
      if (chunk.done) break;
      text += new TextDecoder().decode(chunk.value);
    }
    expect(text).toMatch(/event: end\ndata: .*"status":"cancelled"/);
    expect(await errorOf(await call(runCancel.POST, `/api/runs/${slowRun}/cancel`, { session: operator.session, body: {} }, id(slowRun)))).toMatchObject({ status: 409 });
    expect(await errorOf(await call(runDetail.GET, `/api/runs/${SOME_RUN}`, { session: operator.session }, id(SOME_RUN)))).toMatchObject({ status: 404 });
    expect(await errorOf(await call(runDetail.GET, '/api/runs/nope', { session: operator.session }, id('nope')))).toMatchObject({ status: 400, field: 'id' });

    const list = await (await call(runs.GET, '/api/runs?strategy=flaky', { session: operator.session })).json();
    expect(list.items.map((r: { id: string }) => r.id)).toEqual([retried.runId, flakyRun]);
    expect(await errorOf(await call(runs.GET, '/api/runs?limit=1.5', { session: operator.session }))).toMatchObject({ status: 400, field: 'limit' });
    expect(await errorOf(await call(runs.GET, '/api/runs?status=weird', { session: operator.session }))).toMatchObject({ status: 400, field: 'status' });
  });

  it('changes a strategy\u2019s priority, TTL and own settings, with an audit entry', async () => {
    const { database, operator } = await setup();
    const response = await call(strategy.PATCH, '/api/strategies/hot_products', { method: 'PATCH', session: operator.session, body: { priority: 120, ttlSeconds: 3600, options: { topN: 50 } } }, named('hot_products'));
    expect(response.status).toBe(200);
    expect((await response.json()).strategy).toMatchObject({ name: 'hot_products', priority: 120, ttlSeconds: 3600, options: { topN: 50, days: 30 } });
    const list = (await (await call(strategies.GET, '/api/strategies', { session: operator.session })).json()).strategies;
    expect(list[0]).toMatchObject({ name: 'hot_products', priority: 120, defaults: { priority: 100, ttlSeconds: 7200, options: { topN: 100, days: 30 } } });
    const [audit] = await auditRows(database, sql`action = 'strategy.update'`);
    expect(audit).toMatchObject({ actor: operator.email, target: 'strategy:hot_products' });
  });

  it('refuses each kind of bad input on the mutating endpoints with a 4xx naming the field, changing nothing', async () => {
    const { database, operator } = await setup();
    const before = await warmupDigest(database);
    const patchStrategy = (c: Call, name = 'hot_products') => call(strategy.PATCH, `/api/strategies/${name}`, { method: 'PATCH', session: operator.session, ...c }, named(name));
    const patchSettings = (c: Call) => call(settings.PATCH, '/api/settings', { method: 'PATCH', session: operator.session, ...c });
    const postRun = (c: Call) => call(runs.POST, '/api/runs', { session: operator.session, ...c });
    const cases: [string, () => Promise<Response>, number, string | undefined][] = [
      ['malformed JSON', () => postRun({ rawBody: '{"scope": ' }), 400, undefined],
      ['wrong content type', () => postRun({ rawBody: 'scope=all', contentType: 'application/x-www-form-urlencoded' }), 415, undefined],
      ['oversized body', () => postRun({ rawBody: JSON.stringify({ scope: { strategies: Array(20000).fill('hot_products') } }) }), 413, undefined],
      ['unknown field', () => postRun({ body: { scope: { all: true }, speed: 'max' } }), 400, 'speed'],
      ['string for a number', () => postRun({ body: { scope: { all: true }, concurrency: '10' } }), 400, 'concurrency'],
      ['float for an integer', () => postRun({ body: { scope: { all: true }, concurrency: 2.5 } }), 400, 'concurrency'],
      ['null', () => postRun({ body: { scope: { all: true }, concurrency: null } }), 400, 'concurrency'],
      ['out of range', () => postRun({ body: { scope: { all: true }, concurrency: 257 } }), 400, 'concurrency'],
      ['empty scope', () => postRun({ body: { scope: { strategies: [] } } }), 400, 'scope.strategies'],
      ['unknown strategy', () => postRun({ body: { scope: { strategies: ['warm_everything'] } } }), 400, 'scope.strategies'],
      ['unknown tag', () => postRun({ body: { scope: { tags: ['gold'] } } }), 400, 'scope.tags'],
      ['disabled strategy', () => postRun({ body: { scope: { strategies: ['product_catalog'] } } }), 409, 'scope.strategies'],
      ['priority out of range', () => patchStrategy({ body: { priority: 1001 } }), 400, 'priority'],
      ['ttl zero', () => patchStrategy({ body: { ttlSeconds: 0 } }), 400, 'ttlSeconds'],
      ['ttl float', () => patchStrategy({ body: { ttlSeconds: 10.5 } }), 400, 'ttlSeconds'],
      ['enabled as string', () => patchStrategy({ body: { enabled: 'yes' } }), 400, 'enabled'],
      ['option out of range', () => patchStrategy({ body: { options: { topN: 0 } } }), 400, 'options.topN'],
      ['unknown option', () => patchStrategy({ body: { options: { colour: 'red' } } }), 400, 'options.colour'],
      ['unknown strategy name', () => patchStrategy({ body: { priority: 1 } }, 'no_such_thing'), 404, 'name'],
      ['bad strategy name', () => patchStrategy({ body: { priority: 1 } }, 'Bad-Name'), 400, 'name'],
      ['empty patch', () => patchStrategy({ body: {} }), 400, undefined],
      ['concurrency setting out of range', () => patchSettings({ body: { maxConcurrency: 300 } }), 400, 'maxConcurrency'],
      ['alert rate above 1', () => patchSettings({ body: { alertSuccessRate: 1.5 } }), 400, 'alertSuccessRate'],
      ['batch size as string', () => patchSettings({ body: { batchSize: '500' } }), 400, 'batchSize'],
      ['settings unknown field', () => patchSettings({ body: { maxConcurency: 5 } }), 400, 'maxConcurency'],
      ['stats bad bucket', () => call(stats.GET, '/api/stats?bucket=2h', { session: operator.session }), 400, 'bucket'],
      ['stats bad date', () => call(stats.GET, '/api/stats?from=yesterday', { session: operator.session }), 400, 'from'],
    ];
    for (const [name, send, statusCode, field] of cases) {
      const error = await errorOf(await send());
      expect(error.status, name).toBe(statusCode);
      if (field) expect(error.field, name).toBe(field);
      expect(error.message, name).toBeTruthy();
    }
    expect(await warmupDigest(database)).toBe(before);
  });

  it('retunes running runs when maxConcurrency changes, and reports how many', async () => {
    const { database } = await useTestDatabase();
    const slow = fakeStrategy({ name: 'slow_one', keys: Array.from({ length: 2000 }, (_, i) => `s:${i}`), value: async (k) => { await sleep(5); return k; } });
    await useTestRuntime(database, { strategies: [slow] });
    const operator = await signedIn(database, 'operator');
    const { runId } = await (await call(runs.POST, '/api/runs', { session: operator.session, body: { scope: { all: true }, concurrency: 8 } })).json();
    const response = await call(settings.PATCH, '/api/settings', { method: 'PATCH', session: operator.session, body: { maxConcurrency: 3 } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ settings: { maxConcurrency: 3 }, retunedRuns: 1 });
    const [row] = await database.rows<{ concurrency: number }>(sql`select concurrency from runs where id = ${runId}::uuid`);
    expect(row!.concurrency).toBe(3);
    await call(runCancel.POST, `/api/runs/${runId}/cancel`, { session: operator.session, body: {} }, id(runId));
    await waitForRun(database, runId);
  });

  it('serves statistics, status and Prometheus metrics to a token', async () => {
    const { database, operator } = await setup();
    const { runId } = await (await call(runs.POST, '/api/runs', { session: operator.session, body: { scope: { all: true } } })).json();
    await waitForRun(database, runId);
    const statsBody = await (await call(stats.GET, '/api/stats?bucket=1h', { session: operator.session })).json();
    expect(statsBody.buckets.map((b: { strategy: string }) => b.strategy).sort()).toEqual(['categories', 'hot_products', 'recommendations', 'sessions']);
    const statusBody = await (await call(status.GET, '/api/status', { session: operator.session })).json();
    expect(statusBody.shop.products).toBe(600);
    const text = await (await call(metrics.GET, '/api/metrics', { session: operator.session })).text();
    expect(text).toMatch(/^kiln_runs_finished_total\{status="succeeded",scope="cluster"\} 1$/m);
    expect(text).toMatch(/^# TYPE kiln_runs_finished_total counter$/m);
    expect(text).toMatch(/^kiln_keys_total\{outcome="warmed",scope="cluster"\} \d+/m);
    expect(text).toMatch(/^kiln_cache_up 1$/m);
    expect(text).toMatch(/^kiln_loads_in_flight\{scope="cluster"\} 0$/m);
    expect(text).toMatch(/^kiln_alert_incidents_open\{rule="run_failed",severity="critical",scope="cluster"\} 0$/m);
    // Standard Node.js process metrics, not kiln_process_process_...
    expect(text).toMatch(/^process_cpu_seconds_total \d/m);
    expect(text).not.toContain('kiln_process_');
  });
});
