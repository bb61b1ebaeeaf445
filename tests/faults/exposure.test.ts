import http from 'node:http';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/server/db/client';
import { ADMIN_EMAIL, ADMIN_PASSWORD, type AppProcess, startApp } from '../support/app-process';
import { createTestDatabase } from '../support/db';
import { TEST_REDIS_URL } from '../support/env';
import { deleteKeysWithPrefix, uniquePrefix } from '../support/redis';
import { figure } from '../support/scenario-reporter';

type Answer = { status: number; headers: http.IncomingHttpHeaders; body: string };

/**
 * A request from a loopback address of our choice (127.0.0.0/8 is all ours on Linux), so that one
 * test machine can be many clients, each with the peer address the server really sees.
 */
function send(app: AppProcess, path: string, options: { from?: string; method?: string; headers?: Record<string, string>; body?: unknown } = {}): Promise<Answer> {
  const url = new URL(path, app.url);
  const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: options.method ?? (body === undefined ? 'GET' : 'POST'),
        localAddress: options.from ?? '127.0.0.1',
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body: text }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/**
 * Issue 14's findings replayed against the app as `npm start` runs it (Kiln's HTTP server, the
 * built app, real Postgres and Redis), each checked for its safe answer and for what it wrote.
 */
describe('safe to expose: the findings of issue 14 against a running server', () => {
  let database: Database;
  let drop: () => Promise<void>;
  let app: AppProcess;
  const prefix = uniquePrefix('exposure');
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    const db = await createTestDatabase({ shop: true });
    database = db.database;
    drop = db.drop;
    app = await startApp({ DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, CACHE_KEY_PREFIX: prefix }, (fn) => cleanups.push(fn));
  });

  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
    await drop?.();
    await deleteKeysWithPrefix(prefix);
  });

  const rows = async (table: string) => (await database.rows<{ n: number }>(sql.raw(`select count(*)::int as n from ${table}`)))[0]!.n;
  const signIn = async (from = '127.0.0.1', headers: Record<string, string> = {}) => {
    const answer = await send(app, '/api/auth/login', { from, headers, body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
    expect(answer.status, answer.body).toBe(200);
    return String(answer.headers['set-cookie']).split(';')[0]!;
  };

  it('1 and 7: anonymous shop reads and junk credentials get 401 and write nothing, walking ids included', async () => {
    const before = { audit: await rows('audit_log'), limits: await rows('rate_limits') };
    const statuses = new Set<number>();
    for (let id = 1; id <= 60; id++) statuses.add((await send(app, `/api/shop/sessions/${id}`)).status);
    for (const path of ['/api/shop/products/1', '/api/shop/categories', '/api/shop/recommendations/homepage']) statuses.add((await send(app, path)).status);
    for (let i = 0; i < 20; i++) {
      statuses.add((await send(app, `/api/runs?${'x'.repeat(12_000)}`, { headers: { authorization: `Bearer kiln_${'A'.repeat(43)}`, 'x-forwarded-for': `10.9.9.${i}` } })).status);
      statuses.add((await send(app, '/api/runs', { headers: { cookie: `kiln_session=junk${i}` } })).status);
    }
    expect([...statuses]).toEqual([401]);
    expect({ audit: await rows('audit_log'), limits: await rows('rate_limits') }).toEqual(before);
  });

  it('2: eleven wrong passwords from eleven addresses do not lock the admin out of a clean address', async (ctx) => {
    for (let i = 2; i <= 12; i++) {
      expect((await send(app, '/api/auth/login', { from: `127.0.0.${i}`, body: { email: ADMIN_EMAIL, password: `wrong guess ${i}` } })).status).toBe(401);
    }
    const started = Date.now();
    const right = await send(app, '/api/auth/login', { from: '127.0.0.40', body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
    expect(right.status).toBe(200);
    figure(ctx.task, 'slowedSignInMs', Date.now() - started);
    // The address that kept guessing is the one refused.
    for (let i = 0; i < 5; i++) await send(app, '/api/auth/login', { from: '127.0.0.41', body: { email: ADMIN_EMAIL, password: `guess ${i}` } });
    const refused = await send(app, '/api/auth/login', { from: '127.0.0.41', body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('3: the client address is the peer, and a forged X-Forwarded-Host cannot start a run from another origin', async () => {
    const cookie = await signIn('127.0.0.50', { 'x-forwarded-for': '6.6.6.6' });
    const [login] = await database.rows<{ ip: string }>(sql`select ip from audit_log where action = 'auth.login' order by id desc limit 1`);
    expect(login!.ip).toBe('127.0.0.50');
    const runs = await rows('runs');
    const attack = await send(app, '/api/runs', {
      from: '127.0.0.50',
      headers: { cookie, origin: 'https://evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' },
      body: { scope: { strategies: ['categories'] } },
    });
    expect(attack.status).toBe(403);
    const schemeOnly = await send(app, '/api/runs', { from: '127.0.0.50', headers: { cookie, origin: app.url.replace('http:', 'https:') }, body: { scope: { strategies: ['categories'] } } });
    expect(schemeOnly.status).toBe(403);
    expect(await rows('runs')).toBe(runs);
  });

  it('4: /login and an API route carry CSP with a nonce, frame-ancestors, nosniff, Referrer- and Permissions-Policy', async () => {
    for (const path of ['/login', '/api/health']) {
      const { headers } = await send(app, path);
      expect(String(headers['content-security-policy']), path).toMatch(/script-src 'self' 'nonce-[^']+'; .*frame-ancestors 'none'/);
      expect(headers).toMatchObject({ 'x-frame-options': 'DENY', 'x-content-type-options': 'nosniff', 'referrer-policy': 'same-origin' });
      expect(headers['permissions-policy']).toBeDefined();
    }
  });

  it('5: next= tricks keep a signed-in visitor on Kiln, and none answers 500', async () => {
    const cookie = await signIn('127.0.0.60');
    for (const trick of ['%2F%09%2Fevil.example', '%2F%0A%2Fevil.example', '%2F%0D%2Fevil.example', '%2F%5Cevil.example', '%2F%2Fevil.example']) {
      const answer = await send(app, `/login?next=${trick}`, { from: '127.0.0.60', headers: { cookie } });
      expect(answer.status, trick).toBe(307);
      expect(new URL(String(answer.headers.location), app.url).origin, trick).toBe(app.url);
    }
  });

  it('6: a NUL byte in the login email or a query parameter, a 5,000-deep body and a duplicate key answer 400', async () => {
    const cookie = await signIn('127.0.0.70');
    const answers = [
      await send(app, '/api/auth/login', { from: '127.0.0.71', body: { email: 'admin\u0000@example.com', password: 'x' } }),
      await send(app, '/api/audit?actor=a%00b', { from: '127.0.0.70', headers: { cookie } }),
      await send(app, '/api/schedules', { from: '127.0.0.70', headers: { cookie, origin: app.url }, body: `{"name":"x","scope":${'['.repeat(5000)}${']'.repeat(5000)}}` }),
      await send(app, '/api/runs', { from: '127.0.0.70', headers: { cookie, origin: app.url }, body: '{"scope":{"all":true},"scope":{"all":true}}' }),
    ];
    expect(answers.map((a) => a.status)).toEqual([400, 400, 400, 400]);
    for (const answer of answers) expect(answer.body.length).toBeLessThan(400);
  });

  it('10: every answer carries a request id the server made, whatever id the client sent', async () => {
    const ready = await send(app, '/api/ready', { headers: { 'x-request-id': 'client-chosen-id' } });
    expect(ready.status).toBe(200);
    expect(ready.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
