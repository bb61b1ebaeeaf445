import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { POST as logout } from '@/app/api/auth/logout/route';
import { GET as me } from '@/app/api/auth/me/route';
import { PATCH as patchOperator } from '@/app/api/operators/[id]/route';
import { sha256 } from '@/server/auth/secrets';
import type { Database } from '@/server/db/client';
import { useTestDatabase } from '../../support/db';
import { useTestRuntime } from '../../support/runtime';
import { PEER, auditRows, errorOf, params, request, signedIn } from '../../support/api';

async function setup() {
  const { database } = await useTestDatabase();
  const runtime = await useTestRuntime(database);
  return { database, runtime, ...(await signedIn(database, 'operator', 'ada@example.com')) };
}

const whoAmI = (session: string) => me(request('/api/auth/me', { session }), undefined);

async function sessionRow(database: Database, session: string) {
  const [row] = await database.rows<{ idle_seconds: number }>(
    sql`select extract(epoch from now() - last_seen_at)::int as idle_seconds from operator_sessions where id = ${sha256(session)}`,
  );
  return row;
}

describe('sessions', () => {
  it('tell who is signed in, with the role the database holds', async () => {
    const { database, id, session } = await setup();
    const response = await whoAmI(session);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ actor: { kind: 'operator', id, label: 'ada@example.com', role: 'operator' } });
    await database.rows(sql`update operators set role = 'viewer' where id = ${id}`);
    expect(((await (await whoAmI(session)).json()) as { actor: { role: string } }).actor.role).toBe('viewer');
  });

  it('end after 12 hours without a request, and the stale row is deleted', async () => {
    const { database, runtime, session } = await setup();
    await database.rows(sql`update operator_sessions set last_seen_at = now() - interval '12 hours 1 minute'`);
    expect(await errorOf(await whoAmI(session))).toMatchObject({ status: 401, code: 'unauthenticated' });
    expect(await sessionRow(database, session)).toBeUndefined();
    // An ended session is no credential: counted with the address's refusals, not audited one by one.
    expect(await auditRows(database, sql`action = 'access.denied'`)).toEqual([]);
    expect(runtime.refusals.pending().get(PEER)).toMatchObject({ count: 1, reasons: { expired_session: 1 }, samples: ['GET /api/auth/me'] });
  });

  it('slide: a request after 11 idle hours keeps the session and restarts the idle clock', async () => {
    const { database, session } = await setup();
    await database.rows(sql`update operator_sessions set last_seen_at = now() - interval '11 hours'`);
    expect((await whoAmI(session)).status).toBe(200);
    expect((await sessionRow(database, session))!.idle_seconds).toBeLessThan(5);
  });

  it('write last_seen_at at most once a minute', async () => {
    const { database, session } = await setup();
    await database.rows(sql`update operator_sessions set last_seen_at = now() - interval '30 seconds'`);
    expect((await whoAmI(session)).status).toBe(200);
    expect((await sessionRow(database, session))!.idle_seconds).toBeGreaterThanOrEqual(29);
  });

  it('end 7 days after sign-in however active they are', async () => {
    const { database, session } = await setup();
    await database.rows(sql`update operator_sessions set expires_at = now() - interval '1 second', last_seen_at = now()`);
    expect((await whoAmI(session)).status).toBe(401);
  });

  it('are refused for a disabled operator, and a password reset ends them', async () => {
    const { database, id, session } = await setup();
    await database.rows(sql`update operators set disabled_at = now() where id = ${id}`);
    expect((await whoAmI(session)).status).toBe(401);
    await database.rows(sql`update operators set disabled_at = null where id = ${id}`);
    expect((await whoAmI(session)).status).toBe(200);

    const admin = await signedIn(database, 'admin');
    const reset = await patchOperator(request(`/api/operators/${id}`, { method: 'PATCH', session: admin.session, body: { password: 'a brand new password' } }), params(id));
    expect(reset.status).toBe(200);
    expect((await whoAmI(session)).status).toBe(401);
    expect((await whoAmI(admin.session)).status).toBe(200);
  });

  it('end on logout: the row is deleted, the cookie cleared, and the old cookie refused', async () => {
    const { database, session } = await setup();
    const response = await logout(request('/api/auth/logout', { method: 'POST', session }), undefined);
    expect(response.status).toBe(200);
    const cookie = response.headers.get('set-cookie')!.split('; ');
    expect(cookie).toEqual(expect.arrayContaining(['kiln_session=', 'Max-Age=0', 'HttpOnly', 'SameSite=Lax', 'Path=/']));
    expect(await sessionRow(database, session)).toBeUndefined();
    expect((await whoAmI(session)).status).toBe(401);
    expect((await auditRows(database, sql`action = 'auth.logout'`)).map((r) => r.actor)).toEqual(['ada@example.com']);
  });

  it('are not ended by a logout posted from another site', async () => {
    const { database, session } = await setup();
    const response = await logout(request('/api/auth/logout', { method: 'POST', session, origin: 'https://evil.example' }), undefined);
    expect(response.status).toBe(403);
    expect(await sessionRow(database, session)).toBeDefined();
  });
});
