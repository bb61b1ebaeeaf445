import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { GET as listAudit } from '@/app/api/audit/route';
import { POST as logout } from '@/app/api/auth/logout/route';
import { GET as me } from '@/app/api/auth/me/route';
import { DELETE as deleteOperator, GET as getOperator, PATCH as patchOperator } from '@/app/api/operators/[id]/route';
import { GET as listOperators, POST as createOperator } from '@/app/api/operators/route';
import { DELETE as revokeToken, PATCH as patchToken } from '@/app/api/tokens/[id]/route';
import { GET as listTokens, POST as createToken } from '@/app/api/tokens/route';
import { useTestDatabase } from '../../support/db';
import { useTestRuntime } from '../../support/runtime';
import { type Call, auditRows, authTablesDigest, createOperatorRow, errorOf, params, request, signedIn } from '../../support/api';

type Handler = (request: Request, context: ReturnType<typeof params>) => Promise<Response>;

/** Every endpoint this module serves, with a request body that would be valid for it. */
const endpoints: { name: string; handler: Handler; path: string; method: string; body?: unknown; minimum: 'viewer' | 'admin' }[] = [
  { name: 'POST /api/auth/logout', handler: logout as Handler, path: '/api/auth/logout', method: 'POST', minimum: 'viewer' },
  { name: 'GET /api/auth/me', handler: me as Handler, path: '/api/auth/me', method: 'GET', minimum: 'viewer' },
  { name: 'GET /api/audit', handler: listAudit as Handler, path: '/api/audit', method: 'GET', minimum: 'viewer' },
  { name: 'GET /api/operators', handler: listOperators as Handler, path: '/api/operators', method: 'GET', minimum: 'admin' },
  { name: 'POST /api/operators', handler: createOperator as Handler, path: '/api/operators', method: 'POST', body: { email: 'new@example.com', name: 'New', role: 'admin', password: 'long enough password' }, minimum: 'admin' },
  { name: 'GET /api/operators/1', handler: getOperator, path: '/api/operators/1', method: 'GET', minimum: 'admin' },
  { name: 'PATCH /api/operators/1', handler: patchOperator, path: '/api/operators/1', method: 'PATCH', body: { role: 'viewer' }, minimum: 'admin' },
  { name: 'DELETE /api/operators/1', handler: deleteOperator, path: '/api/operators/1', method: 'DELETE', minimum: 'admin' },
  { name: 'GET /api/tokens', handler: listTokens as Handler, path: '/api/tokens', method: 'GET', minimum: 'admin' },
  { name: 'POST /api/tokens', handler: createToken as Handler, path: '/api/tokens', method: 'POST', body: { name: 'deploy', role: 'admin' }, minimum: 'admin' },
  { name: 'PATCH /api/tokens/1', handler: patchToken, path: '/api/tokens/1', method: 'PATCH', body: { name: 'renamed' }, minimum: 'admin' },
  { name: 'DELETE /api/tokens/1', handler: revokeToken, path: '/api/tokens/1', method: 'DELETE', minimum: 'admin' },
];

const call = (e: (typeof endpoints)[number], extra: Call = {}) => e.handler(request(e.path, { method: e.method, body: e.body, ...extra }), params(1));

async function setup(env: Record<string, string> = {}) {
  const { database } = await useTestDatabase();
  const runtime = await useTestRuntime(database, { env });
  const admin = await signedIn(database, 'admin', 'root@example.com');
  // Row 1 exists for every /1 path: the admin; a token row 1 too.
  const token = (await (await createToken(request('/api/tokens', { session: admin.session, body: { name: 'ci', role: 'viewer' } }), undefined)).json()) as { secret: string };
  return { database, runtime, admin, viewerToken: token.secret };
}

describe('access to the auth endpoints', () => {
  it('answers 401 without credentials on every endpoint, whatever the body, and writes nothing', async () => {
    const { database } = await setup();
    const before = await authTablesDigest(database);
    for (const endpoint of endpoints) {
      for (const extra of [{}, { rawBody: '{not json' }, { body: { unknown: 1 }, contentType: 'text/plain' }] as Call[]) {
        const response = await call(endpoint, { ...extra, ...(endpoint.method === 'GET' ? { body: undefined, rawBody: undefined } : {}) });
        expect(await errorOf(response), endpoint.name).toMatchObject({ status: 401, code: 'unauthenticated' });
      }
    }
    expect(await authTablesDigest(database)).toEqual(before);
  });

  it('answers 401 for a made-up session or token, writes nothing per request, and sums them up in one audit row a minute', async () => {
    const { database, runtime } = await setup();
    const attempts: Call[] = [
      { session: 'A'.repeat(43) },
      { token: `kiln_${'B'.repeat(43)}` },
      { token: 'not-a-kiln-token' },
      { headers: { authorization: 'Basic YWRtaW46YWRtaW4=' } },
    ];
    const before = await authTablesDigest(database);
    for (const attempt of attempts) expect((await call(endpoints[3]!, attempt)).status).toBe(401);
    // A junk credential from another address, with a 12 kB path: counted, never stored whole.
    const longPath = `/api/${'x'.repeat(12_000)}`;
    expect((await listOperators(request(longPath, { token: 'junk', peer: '203.0.113.50' }), undefined)).status).toBe(401);
    expect(await authTablesDigest(database)).toEqual(before);

    await runtime.refusals.flush();
    const summaries = await auditRows(database, sql`action = 'access.refused'`);
    expect(summaries.map((d) => [d.actor, d.ip, d.outcome, d.after?.count, d.after?.reasons])).toEqual([
      ['anonymous', '192.0.2.1', 'denied', 4, { unknown_session: 1, unknown_token: 2, malformed_authorization: 1 }],
      ['anonymous', '203.0.113.50', 'denied', 1, { unknown_token: 1 }],
    ]);
    expect(summaries[0]!.after?.samples).toEqual(['GET /api/operators']);
    expect((summaries[1]!.after?.samples as string[])[0]).toHaveLength(100);
    const metrics = await runtime.metrics.render();
    expect(metrics).toMatch(/kiln_refused_requests_total\{reason="unknown_token"\} 3/);
    // Nothing new since: the next flush writes nothing.
    await runtime.refusals.flush();
    expect(await auditRows(database, sql`action = 'access.refused'`)).toHaveLength(2);
  });

  it('answers 403 to a viewer on every admin endpoint, also with an x-middleware-subrequest header, and changes nothing', async () => {
    const { database } = await setup();
    const viewer = await signedIn(database, 'viewer');
    const operator = await signedIn(database, 'operator');
    const before = await authTablesDigest(database);
    const bypass = { 'x-middleware-subrequest': 'middleware:middleware:middleware:middleware:middleware' };
    let denials = 0;
    for (const endpoint of endpoints.filter((e) => e.minimum === 'admin')) {
      for (const extra of [{ session: viewer.session }, { session: viewer.session, headers: bypass }, { session: operator.session }] as Call[]) {
        const error = await errorOf(await call(endpoint, extra));
        expect(error, endpoint.name).toMatchObject({ status: 403, code: 'forbidden' });
        expect(error.message).toContain('admin');
        denials++;
      }
    }
    const after = await authTablesDigest(database);
    expect({ ...after, audit_log: '' }).toEqual({ ...before, audit_log: '' });
    const denied = await auditRows(database, sql`action = 'access.denied'`);
    expect(denied).toHaveLength(denials);
    expect(denied[0]).toMatchObject({ actor: 'viewer@example.com', actor_role: 'viewer', outcome: 'denied', target: 'GET /api/operators' });
  });

  it('lets a viewer read the audit log and who they are', async () => {
    const { database } = await setup();
    const viewer = await signedIn(database, 'viewer');
    for (const endpoint of endpoints.filter((e) => e.method === 'GET' && e.minimum === 'viewer')) {
      expect((await call(endpoint, { session: viewer.session })).status, endpoint.name).toBe(200);
    }
  });

  it('refuses a state-changing request carried by the cookie from another origin', async () => {
    const { database, admin } = await setup();
    const create = endpoints[4]!;
    const refused: Call[] = [
      { session: admin.session, origin: 'https://evil.example' },
      { session: admin.session, origin: 'null' },
      { session: admin.session, origin: 'http://localhost.evil.example' },
      { session: admin.session, origin: null },
      { session: admin.session, origin: null, headers: { referer: 'https://evil.example/page' } },
    ];
    for (const attempt of refused) {
      const error = await errorOf(await call(create, attempt));
      expect(error, JSON.stringify(attempt)).toMatchObject({ status: 403, code: 'forbidden' });
    }
    const [operators] = await database.rows<{ n: number }>(sql`select count(*)::int as n from operators`);
    expect(operators!.n).toBe(1);
    expect((await auditRows(database, sql`action = 'access.denied'`)).every((d) => String(d.after?.reason).startsWith('cross_origin'))).toBe(true);

    // The app's own origin, given by Origin or Referer, is accepted.
    const same = { ...create, body: { ...(create.body as object), email: 'a@example.com' } };
    expect((await call(same, { session: admin.session, origin: null, headers: { referer: 'http://localhost/operators' } })).status).toBe(201);
    // Forwarded headers from a client that is not a trusted proxy are not believed.
    const forged = { ...create, body: { ...(create.body as object), email: 'b@example.com' } };
    const attack = { session: admin.session, origin: 'https://evil.example', headers: { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' } };
    expect((await call(forged, attack)).status).toBe(403);
    // The scheme counts: https://localhost is not http://localhost.
    expect((await call(forged, { session: admin.session, origin: 'https://localhost' })).status).toBe(403);
    const [after] = await database.rows<{ n: number }>(sql`select count(*)::int as n from operators`);
    expect(after!.n).toBe(2);
  });

  it('believes X-Forwarded-Host and -Proto from a trusted proxy only, and KILN_PUBLIC_URL over both', async () => {
    const { database, admin } = await setup({ KILN_TRUSTED_PROXIES: '10.0.0.0/8' });
    const create = endpoints[4]!;
    const as = (email: string) => ({ ...create, body: { ...(create.body as object), email } });
    const forwarded = { 'x-forwarded-host': 'kiln.example.com', 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.7' };
    expect((await call(as('p@example.com'), { session: admin.session, peer: '10.0.0.2', origin: 'https://kiln.example.com', headers: forwarded })).status).toBe(201);
    expect((await call(as('q@example.com'), { session: admin.session, peer: '198.51.100.2', origin: 'https://kiln.example.com', headers: forwarded })).status).toBe(403);
    const audit = await auditRows(database, sql`action = 'operator.create'`);
    expect(audit.map((a) => a.ip)).toEqual(['203.0.113.7']);

    const pinned = await setup({ KILN_TRUSTED_PROXIES: '10.0.0.0/8', KILN_PUBLIC_URL: 'https://kiln.example.com' });
    const evil = { session: pinned.admin.session, peer: '10.0.0.2', origin: 'https://evil.example', headers: { ...forwarded, 'x-forwarded-host': 'evil.example' } };
    expect((await call(as('r@example.com'), evil)).status).toBe(403);
  });

  it('accepts an API token from anywhere, and refuses it once revoked or expired', async () => {
    const { database, runtime, admin } = await setup();
    const created = await createToken(request('/api/tokens', { session: admin.session, body: { name: 'deploy script', role: 'admin' } }), undefined);
    const { token, secret } = (await created.json()) as { token: { id: number }; secret: string };

    const who = await me(request('/api/auth/me', { token: secret }), undefined);
    expect(await who.json()).toEqual({ actor: { kind: 'token', id: token.id, label: 'deploy script', role: 'admin' } });
    // No origin check for tokens: a browser never attaches one by itself.
    const viaToken = await createOperator(request('/api/operators', { token: secret, origin: 'https://elsewhere.example', body: { email: 'bot@example.com', name: 'Bot', role: 'viewer', password: 'long enough password' } }), undefined);
    expect(viaToken.status).toBe(201);
    const [used] = await database.rows<{ used: boolean }>(sql`select last_used_at is not null as used from api_tokens where id = ${token.id}`);
    expect(used!.used).toBe(true);
    expect((await auditRows(database, sql`action = 'operator.create'`)).at(-1)).toMatchObject({ actor: 'token:deploy script', actor_role: 'admin' });

    await database.rows(sql`update api_tokens set expires_at = now() - interval '1 second' where id = ${token.id}`);
    expect((await me(request('/api/auth/me', { token: secret }), undefined)).status).toBe(401);
    await database.rows(sql`update api_tokens set expires_at = null where id = ${token.id}`);
    expect((await me(request('/api/auth/me', { token: secret }), undefined)).status).toBe(200);

    expect((await revokeToken(request(`/api/tokens/${token.id}`, { method: 'DELETE', session: admin.session }), params(token.id))).status).toBe(200);
    expect(await errorOf(await me(request('/api/auth/me', { token: secret }), undefined))).toMatchObject({ status: 401 });
    // Refused credentials are anonymous: counted, not audited one by one.
    expect(await auditRows(database, sql`action = 'access.denied'`)).toEqual([]);
    const pending = runtime.refusals.pending().get('192.0.2.1');
    expect(pending?.reasons).toEqual({ expired_token: 1, revoked_token: 1 });
  });

  it('gives a viewer token 403 on a mutation', async () => {
    const { viewerToken } = await setup();
    expect((await call(endpoints[4]!, { token: viewerToken })).status).toBe(403);
  });

  it('holds a demotion on the very next request', async () => {
    const { database, admin } = await setup();
    const other = await signedIn(database, 'admin', 'other@example.com');
    expect((await listOperators(request('/api/operators', { session: other.session }), undefined)).status).toBe(200);
    const demote = await patchOperator(request(`/api/operators/${other.id}`, { method: 'PATCH', session: admin.session, body: { role: 'viewer' } }), params(other.id));
    expect(demote.status).toBe(200);
    expect((await listOperators(request('/api/operators', { session: other.session }), undefined)).status).toBe(403);
    expect((await me(request('/api/auth/me', { session: other.session }), undefined)).status).toBe(200);
  });
});
