import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { GET as me } from '@/app/api/auth/me/route';
import { DELETE, PATCH } from '@/app/api/tokens/[id]/route';
import { GET as list, POST } from '@/app/api/tokens/route';
import { sha256 } from '@/server/auth/secrets';
import { useTestDatabase } from '../../support/db';
import { useTestRuntime } from '../../support/runtime';
import { PATCH as patchOperator, DELETE as deleteOperator } from '@/app/api/operators/[id]/route';
import { GET as listRuns } from '@/app/api/runs/route';
import { type Call, apiTokenFor, auditRows, authTablesDigest, errorOf, params, request, signedIn } from '../../support/api';

async function setup() {
  const { database } = await useTestDatabase();
  await useTestRuntime(database);
  return { database, admin: await signedIn(database, 'admin', 'root@example.com') };
}

type Created = { token: { id: number; name: string; prefix: string; role: string; expiresAt: string | null; revokedAt: string | null; createdBy: string }; secret: string };

describe('/api/tokens', () => {
  it('creates a token whose secret is shown once and stored only as its hash', async () => {
    const { database, admin } = await setup();
    const response = await POST(request('/api/tokens', { session: admin.session, body: { name: 'nightly script', role: 'operator', expiresInDays: 30 } }), undefined);
    expect(response.status).toBe(201);
    const { token, secret } = (await response.json()) as Created;
    expect(secret).toMatch(/^kiln_[A-Za-z0-9_-]{43}$/);
    expect(token).toMatchObject({ name: 'nightly script', role: 'operator', prefix: secret.slice(0, 12), createdBy: 'root@example.com', revokedAt: null });

    const [row] = await database.rows<{ token_hash: string; days: number }>(
      sql`select token_hash, round(extract(epoch from expires_at - created_at) / 86400)::int as days from api_tokens where id = ${token.id}`,
    );
    expect(row).toEqual({ token_hash: sha256(secret), days: 30 });
    const [stored] = await database.rows<{ n: number }>(sql`select count(*)::int as n from api_tokens t where t::text like ${'%' + secret + '%'}`);
    expect(stored!.n).toBe(0);

    const listed = await (await list(request('/api/tokens', { session: admin.session }), undefined)).text();
    expect(listed).toContain('nightly script');
    expect(listed).not.toContain(secret);
    expect(listed).not.toContain(row!.token_hash);
    const [audit] = await auditRows(database, sql`action = 'token.create'`);
    expect(audit).toMatchObject({ actor: 'root@example.com', target: `token:${token.id}`, after: expect.objectContaining({ name: 'nightly script', role: 'operator' }) });
    expect(JSON.stringify(audit)).not.toContain(secret);
  });

  it('never expires a token created without expiresInDays', async () => {
    const { admin } = await setup();
    const { token } = (await (await POST(request('/api/tokens', { session: admin.session, body: { name: 'forever', role: 'viewer' } }), undefined)).json()) as Created;
    expect(token.expiresAt).toBeNull();
  });

  it('renames a token, which keeps working', async () => {
    const { database, admin } = await setup();
    const { token, secret } = (await (await POST(request('/api/tokens', { session: admin.session, body: { name: 'old', role: 'viewer' } }), undefined)).json()) as Created;
    const response = await PATCH(request(`/api/tokens/${token.id}`, { method: 'PATCH', session: admin.session, body: { name: 'new name' } }), params(token.id));
    expect(((await response.json()) as Created).token.name).toBe('new name');
    expect(((await (await me(request('/api/auth/me', { token: secret }), undefined)).json()) as { actor: { label: string } }).actor.label).toBe('new name');
    expect((await auditRows(database, sql`action = 'token.update'`))[0]).toMatchObject({ after: expect.objectContaining({ name: 'new name' }) });
  });

  it('revokes a token once: a second revoke changes nothing', async () => {
    const { database, admin } = await setup();
    const { token } = (await (await POST(request('/api/tokens', { session: admin.session, body: { name: 'ci', role: 'admin' } }), undefined)).json()) as Created;
    const revoke = () => DELETE(request(`/api/tokens/${token.id}`, { method: 'DELETE', session: admin.session }), params(token.id));
    const first = ((await (await revoke()).json()) as Created).token;
    expect(first.revokedAt).not.toBeNull();
    const second = ((await (await revoke()).json()) as Created).token;
    expect(second.revokedAt).toBe(first.revokedAt);
    expect(await auditRows(database, sql`action = 'token.revoke'`)).toHaveLength(1);
  });

  it('answers a catalogue of bad input with a 4xx naming the field, and changes nothing', async () => {
    const { database, admin } = await setup();
    const { token } = (await (await POST(request('/api/tokens', { session: admin.session, body: { name: 'ci', role: 'viewer' } }), undefined)).json()) as Created;
    const valid = { name: 'deploy', role: 'operator', expiresInDays: 7 };
    const creates: [Call, number, string | undefined][] = [
      [{ rawBody: '{"name": "x"' }, 400, undefined],
      [{ rawBody: JSON.stringify(valid), contentType: 'text/plain' }, 415, undefined],
      [{ rawBody: JSON.stringify({ ...valid, name: 'n'.repeat(70_000) }) }, 413, undefined],
      [{ body: { ...valid, scope: 'all' } }, 400, 'scope'],
      [{ body: { ...valid, expiresInDays: '7' } }, 400, 'expiresInDays'],
      [{ body: { ...valid, expiresInDays: 1.5 } }, 400, 'expiresInDays'],
      [{ body: { ...valid, expiresInDays: null } }, 400, 'expiresInDays'],
      [{ body: { ...valid, expiresInDays: 0 } }, 400, 'expiresInDays'],
      [{ body: { ...valid, expiresInDays: 3651 } }, 400, 'expiresInDays'],
      [{ body: { ...valid, role: 'root' } }, 400, 'role'],
      [{ body: { ...valid, name: '' } }, 400, 'name'],
      [{ body: { ...valid, name: null } }, 400, 'name'],
      [{ body: 'a string' }, 400, undefined],
    ];
    const patches: [string, Call, number, string | undefined][] = [
      [String(token.id), { rawBody: '{' }, 400, undefined],
      [String(token.id), { rawBody: '{"name":"x"}', contentType: 'text/json' }, 415, undefined],
      [String(token.id), { rawBody: JSON.stringify({ name: 'n'.repeat(70_000) }) }, 413, undefined],
      [String(token.id), { body: { name: 'x', role: 'admin' } }, 400, 'role'],
      [String(token.id), { body: { name: 7 } }, 400, 'name'],
      [String(token.id), { body: { name: null } }, 400, 'name'],
      [String(token.id), { body: {} }, 400, 'name'],
      ['424242', { body: { name: 'ghost' } }, 404, 'id'],
      ['2.5', { body: { name: 'float' } }, 400, 'id'],
    ];
    const before = await authTablesDigest(database);
    for (const [call, status, field] of creates) {
      const error = await errorOf(await POST(request('/api/tokens', { session: admin.session, ...call }), undefined));
      expect([error.status, error.field], JSON.stringify(call).slice(0, 120)).toEqual([status, field]);
      if (field) expect(error.message).toContain(field);
    }
    for (const [target, call, status, field] of patches) {
      const error = await errorOf(await PATCH(request(`/api/tokens/${target}`, { method: 'PATCH', session: admin.session, ...call }), params(target)));
      expect([error.status, error.field], `${target} ${JSON.stringify(call).slice(0, 120)}`).toEqual([status, field]);
      if (field) expect(error.message).toContain(field);
    }
    for (const [target, status] of [['424242', 404], ['1e3', 400]] as const) {
      const error = await errorOf(await DELETE(request(`/api/tokens/${target}`, { method: 'DELETE', session: admin.session }), params(target)));
      expect([error.status, error.field]).toEqual([status, 'id']);
    }
    expect(await authTablesDigest(database)).toEqual(before);
  });

  it('acts with at most its creator’s current role: a demoted creator’s admin token is a viewer’s from the next request', async () => {
    const { database, admin } = await setup();
    const creator = await signedIn(database, 'admin', 'maker@example.com');
    const token = await apiTokenFor(database, 'admin', creator);
    const role = async () => ((await (await me(request('/api/auth/me', { token: token.secret }), undefined)).json()) as { actor: { role: string } }).actor.role;
    expect(await role()).toBe('admin');
    expect((await list(request('/api/tokens', { token: token.secret }), undefined)).status).toBe(200);

    const demote = await patchOperator(request(`/api/operators/${creator.id}`, { method: 'PATCH', session: admin.session, body: { role: 'viewer' } }), params(creator.id));
    expect(demote.status).toBe(200);
    expect(await role()).toBe('viewer');
    expect(await errorOf(await list(request('/api/tokens', { token: token.secret }), undefined))).toMatchObject({ status: 403 });
    // The token's own role is unchanged: promoted again, the creator's token is an admin's again.
    const [row] = await database.rows<{ role: string; created_by_operator_id: number }>(sql`select role, created_by_operator_id from api_tokens where id = ${token.id}`);
    expect(row).toEqual({ role: 'admin', created_by_operator_id: creator.id });
  });

  it('stops working when its creator is disabled or removed, and a token made with it stops with them', async () => {
    const { database, admin } = await setup();
    const creator = await signedIn(database, 'admin', 'maker@example.com');
    const parent = await apiTokenFor(database, 'admin', creator);
    // A token made with a token belongs to the operator behind that token.
    const made = await POST(request('/api/tokens', { token: parent.secret, body: { name: 'child', role: 'operator' } }), undefined);
    expect(made.status).toBe(201);
    const child = (await made.json()) as Created;
    const [link] = await database.rows<{ created_by_operator_id: number }>(sql`select created_by_operator_id from api_tokens where id = ${child.token.id}`);
    expect(link!.created_by_operator_id).toBe(creator.id);

    const whoami = (secret: string) => me(request('/api/auth/me', { token: secret }), undefined);
    expect((await whoami(child.secret)).status).toBe(200);
    await patchOperator(request(`/api/operators/${creator.id}`, { method: 'PATCH', session: admin.session, body: { disabled: true } }), params(creator.id));
    expect(await errorOf(await whoami(parent.secret))).toMatchObject({ status: 401 });
    expect(await errorOf(await whoami(child.secret))).toMatchObject({ status: 401 });
    await patchOperator(request(`/api/operators/${creator.id}`, { method: 'PATCH', session: admin.session, body: { disabled: false } }), params(creator.id));
    expect((await whoami(child.secret)).status).toBe(200);

    expect((await deleteOperator(request(`/api/operators/${creator.id}`, { method: 'DELETE', session: admin.session }), params(creator.id))).status).toBe(200);
    expect(await errorOf(await whoami(parent.secret))).toMatchObject({ status: 401 });
    // The tokens stay (audit entries name them), tied to nobody.
    const rows = await database.rows<{ created_by: string; created_by_operator_id: number | null }>(sql`select created_by, created_by_operator_id from api_tokens where id in (${parent.id}, ${child.token.id}) order by id`);
    expect(rows).toEqual([
      { created_by: 'maker@example.com', created_by_operator_id: null },
      { created_by: `token:${(await database.rows<{ name: string }>(sql`select name from api_tokens where id = ${parent.id}`))[0]!.name}`, created_by_operator_id: null },
    ]);
  });

  it('offers the shop_reader role, which may read the shop and nothing else', async () => {
    const { admin } = await setup();
    const created = await POST(request('/api/tokens', { session: admin.session, body: { name: 'shop backend', role: 'shop_reader' } }), undefined);
    expect(created.status).toBe(201);
    const { secret } = (await created.json()) as Created;
    expect(await errorOf(await listRuns(request('/api/runs', { token: secret }), undefined))).toMatchObject({ status: 403 });
    expect(await errorOf(await list(request('/api/tokens', { token: secret }), undefined))).toMatchObject({ status: 403 });
  });
});
