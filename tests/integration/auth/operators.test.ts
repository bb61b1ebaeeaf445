import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { DELETE, GET as getOne, PATCH } from '@/app/api/operators/[id]/route';
import { GET as list, POST } from '@/app/api/operators/route';
import { verifyPassword } from '@/server/auth/passwords';
import type { Database } from '@/server/db/client';
import { useTestDatabase } from '../../support/db';
import { useTestRuntime } from '../../support/runtime';
import { type Call, auditRows, authTablesDigest, createOperatorRow, errorOf, params, request, signedIn } from '../../support/api';

async function setup() {
  const { database } = await useTestDatabase();
  await useTestRuntime(database);
  return { database, admin: await signedIn(database, 'admin', 'root@example.com') };
}

const patch = (session: string, id: number | string, body: unknown, extra: Call = {}) =>
  PATCH(request(`/api/operators/${id}`, { method: 'PATCH', session, body, ...extra }), params(id));
const remove = (session: string, id: number | string) => DELETE(request(`/api/operators/${id}`, { method: 'DELETE', session }), params(id));

async function operatorRow(database: Database, id: number) {
  const [row] = await database.rows<{ email: string; name: string; role: string; disabled: boolean; password_hash: string }>(
    sql`select email, name, role, disabled_at is not null as disabled, password_hash from operators where id = ${id}`,
  );
  return row;
}

describe('/api/operators', () => {
  it('creates an operator with a hashed password, lists and shows it, and logs the creation', async () => {
    const { database, admin } = await setup();
    const response = await POST(
      request('/api/operators', { session: admin.session, body: { email: ' Grace@Example.com ', name: ' Grace ', role: 'operator', password: 'twelve chars' } }),
      undefined,
    );
    expect(response.status).toBe(201);
    const { operator } = (await response.json()) as { operator: { id: number } };
    expect(operator).toMatchObject({ email: 'grace@example.com', name: 'Grace', role: 'operator', disabled: false, lastLoginAt: null });
    expect(JSON.stringify(operator)).not.toMatch(/argon|password/i);

    const row = await operatorRow(database, operator.id);
    expect(row!.password_hash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(row!.password_hash, 'twelve chars')).toBe(true);

    const all = (await (await list(request('/api/operators', { session: admin.session }), undefined)).json()) as { operators: { email: string }[] };
    expect(all.operators.map((o) => o.email)).toEqual(['root@example.com', 'grace@example.com']);
    const one = await getOne(request(`/api/operators/${operator.id}`, { session: admin.session }), params(operator.id));
    expect(await one.json()).toEqual({ operator });
    expect((await auditRows(database, sql`action = 'operator.create'`))[0]).toMatchObject({
      actor: 'root@example.com',
      actor_role: 'admin',
      target: `operator:${operator.id}`,
      after: { email: 'grace@example.com', name: 'Grace', role: 'operator', disabled: false },
    });
  });

  it('refuses a second operator with the same email (409 naming email)', async () => {
    const { database, admin } = await setup();
    const before = await authTablesDigest(database);
    const response = await POST(request('/api/operators', { session: admin.session, body: { email: 'ROOT@example.com', name: 'Again', role: 'viewer', password: 'twelve chars' } }), undefined);
    expect(await errorOf(response)).toMatchObject({ status: 409, code: 'conflict', field: 'email' });
    expect(await authTablesDigest(database)).toEqual(before);
  });

  it('renames, re-roles, disables and re-enables, with before and after in the audit log', async () => {
    const { database, admin } = await setup();
    const id = await createOperatorRow(database, { email: 'lin@example.com', role: 'viewer', name: 'Lin' });
    const response = await patch(admin.session, id, { name: 'Lin Y.', role: 'operator', disabled: true });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { operator: unknown }).operator).toMatchObject({ name: 'Lin Y.', role: 'operator', disabled: true });
    expect(await operatorRow(database, id)).toMatchObject({ name: 'Lin Y.', role: 'operator', disabled: true });
    expect((await auditRows(database, sql`action = 'operator.update'`))[0]).toMatchObject({
      target: `operator:${id}`,
      after: { email: 'lin@example.com', name: 'Lin Y.', role: 'operator', disabled: true },
    });
    const [audit] = await database.rows<{ before: unknown }>(sql`select before from audit_log where action = 'operator.update'`);
    expect(audit!.before).toEqual({ email: 'lin@example.com', name: 'Lin', role: 'viewer', disabled: false });
    await patch(admin.session, id, { disabled: false });
    expect((await operatorRow(database, id))!.disabled).toBe(false);
  });

  it('resets a password: the old one stops working and the audit log never holds either', async () => {
    const { database, admin } = await setup();
    const id = await createOperatorRow(database, { email: 'lin@example.com', role: 'viewer' });
    expect((await patch(admin.session, id, { password: 'another long password' })).status).toBe(200);
    const row = await operatorRow(database, id);
    expect(await verifyPassword(row!.password_hash, 'another long password')).toBe(true);
    expect(await verifyPassword(row!.password_hash, 'correct horse battery staple')).toBe(false);
    const [audit] = await database.rows<{ text: string }>(sql`select coalesce(before::text, '') || coalesce(after::text, '') as text from audit_log where action = 'operator.update'`);
    expect(audit!.text).toContain('"passwordReset": true');
    expect(audit!.text).not.toMatch(/another long password|argon2/);
  });

  it('resets a password to be changed at the next sign-in only when asked, and a later plain reset lifts that', async () => {
    const { database, admin } = await setup();
    const id = await createOperatorRow(database, { email: 'lin@example.com', role: 'viewer' });
    const mustChange = async () => (await database.rows<{ m: boolean }>(sql`select must_change_password as m from operators where id = ${id}`))[0]!.m;

    expect((await patch(admin.session, id, { password: 'a password to replace', mustChangePassword: true })).status).toBe(200);
    expect(await mustChange()).toBe(true);
    const [audit] = await auditRows(database, sql`action = 'operator.update'`);
    expect(audit).toMatchObject({ after: { passwordReset: true, mustChangePassword: true } });

    expect((await patch(admin.session, id, { password: 'a password to keep' })).status).toBe(200);
    expect(await mustChange()).toBe(false);

    // The flag belongs to a reset: alone it is refused and changes nothing.
    const before = await authTablesDigest(database);
    const error = await errorOf(await patch(admin.session, id, { mustChangePassword: true }));
    expect([error.status, error.field]).toEqual([400, 'mustChangePassword']);
    expect(await authTablesDigest(database)).toEqual(before);
    expect(await mustChange()).toBe(false);
  });

  it('removes an operator, their sessions with them', async () => {
    const { database, admin } = await setup();
    const other = await signedIn(database, 'operator', 'lin@example.com');
    const response = await remove(admin.session, other.id);
    expect(response.status).toBe(200);
    expect(await operatorRow(database, other.id)).toBeUndefined();
    const [sessions] = await database.rows<{ n: number }>(sql`select count(*)::int as n from operator_sessions where operator_id = ${other.id}`);
    expect(sessions!.n).toBe(0);
    expect((await auditRows(database, sql`action = 'operator.delete'`))[0]).toMatchObject({ actor: 'root@example.com', target: `operator:${other.id}` });
  });

  it('never demotes, disables or removes the last active admin (409), even with a disabled admin left', async () => {
    const { database, admin } = await setup();
    await createOperatorRow(database, { email: 'old-admin@example.com', role: 'admin', disabled: true });
    const before = await authTablesDigest(database);
    for (const response of [
      await patch(admin.session, admin.id, { role: 'operator' }),
      await patch(admin.session, admin.id, { disabled: true }),
      await remove(admin.session, admin.id),
    ]) {
      expect(await errorOf(response)).toMatchObject({ status: 409, code: 'conflict', field: 'id' });
    }
    expect(await authTablesDigest(database)).toEqual(before);
    // Renaming the last admin, or "demoting" to admin, is fine.
    expect((await patch(admin.session, admin.id, { name: 'Root', role: 'admin' })).status).toBe(200);
  });

  it('lets exactly one of two admins demoting each other at the same moment win', async () => {
    const { database, admin } = await setup();
    const other = await signedIn(database, 'admin', 'other@example.com');
    for (let round = 0; round < 3; round++) {
      await database.rows(sql`update operators set role = 'admin'`);
      const results = await Promise.all([patch(admin.session, other.id, { role: 'viewer' }), patch(other.session, admin.id, { role: 'viewer' })]);
      const statuses = results.map((r) => r.status).sort();
      // The loser is refused either as no longer an admin (403) or as the last admin's demoter (409).
      expect(statuses[0]).toBe(200);
      expect([403, 409]).toContain(statuses[1]);
      const [admins] = await database.rows<{ n: number }>(sql`select count(*)::int as n from operators where role = 'admin' and disabled_at is null`);
      expect(admins!.n).toBe(1);
    }
  });

  it('answers a catalogue of bad input with a 4xx naming the field, and changes nothing', async () => {
    const { database, admin } = await setup();
    const id = await createOperatorRow(database, { email: 'lin@example.com', role: 'viewer' });
    const valid = { email: 'new@example.com', name: 'New', role: 'viewer', password: 'twelve chars' };
    const creates: [Call, number, string | undefined][] = [
      [{ rawBody: '{"email": ' }, 400, undefined],
      [{ rawBody: JSON.stringify(valid), contentType: 'text/plain' }, 415, undefined],
      [{ rawBody: JSON.stringify(valid), contentType: null }, 415, undefined],
      [{ rawBody: JSON.stringify({ ...valid, name: 'n'.repeat(70_000) }) }, 413, undefined],
      [{ body: { ...valid, isAdmin: true } }, 400, 'isAdmin'],
      [{ body: { ...valid, role: 'superuser' } }, 400, 'role'],
      [{ body: { ...valid, role: 2 } }, 400, 'role'],
      [{ body: { ...valid, email: 'not-an-email' } }, 400, 'email'],
      [{ body: { ...valid, email: null } }, 400, 'email'],
      [{ body: { ...valid, password: 'short' } }, 400, 'password'],
      [{ body: { ...valid, password: 123456789012 } }, 400, 'password'],
      [{ body: { ...valid, name: '   ' } }, 400, 'name'],
      [{ body: { ...valid, name: 'n'.repeat(101) } }, 400, 'name'],
      [{ body: { email: 'new@example.com' } }, 400, 'name'],
    ];
    const patches: [string, Call, number, string | undefined][] = [
      [String(id), { rawBody: 'not json' }, 400, undefined],
      [String(id), { rawBody: '{"name":"x"}', contentType: 'application/x-www-form-urlencoded' }, 415, undefined],
      [String(id), { rawBody: JSON.stringify({ name: 'x'.repeat(70_000) }) }, 413, undefined],
      [String(id), { body: {} }, 400, undefined],
      [String(id), { body: { email: 'x@example.com' } }, 400, 'email'],
      [String(id), { body: { disabled: 'true' } }, 400, 'disabled'],
      [String(id), { body: { disabled: null } }, 400, 'disabled'],
      [String(id), { body: { role: null } }, 400, 'role'],
      [String(id), { body: { password: 'short' } }, 400, 'password'],
      [String(id), { body: { name: 42 } }, 400, 'name'],
      ['999999', { body: { name: 'Ghost' } }, 404, 'id'],
      ['1.5', { body: { name: 'Float' } }, 400, 'id'],
      ['abc', { body: { name: 'Word' } }, 400, 'id'],
      ['0', { body: { name: 'Zero' } }, 400, 'id'],
      ['99999999999', { body: { name: 'Huge' } }, 400, 'id'],
    ];
    const before = await authTablesDigest(database);
    for (const [call, status, field] of creates) {
      const error = await errorOf(await POST(request('/api/operators', { session: admin.session, ...call }), undefined));
      expect([error.status, error.field], JSON.stringify(call).slice(0, 120)).toEqual([status, field]);
      if (field) expect(error.message).toContain(field);
    }
    for (const [target, call, status, field] of patches) {
      const error = await errorOf(await patch(admin.session, target, undefined, call));
      expect([error.status, error.field], `${target} ${JSON.stringify(call).slice(0, 120)}`).toEqual([status, field]);
      if (field) expect(error.message).toContain(field);
    }
    for (const [target, status] of [['999999', 404], ['-1', 400], ['x', 400]] as const) {
      const error = await errorOf(await remove(admin.session, target));
      expect([error.status, error.field]).toEqual([status, 'id']);
      const shown = await errorOf(await getOne(request(`/api/operators/${target}`, { session: admin.session }), params(target)));
      expect([shown.status, shown.field]).toEqual([status, 'id']);
    }
    expect(await authTablesDigest(database)).toEqual(before);
  });
});
