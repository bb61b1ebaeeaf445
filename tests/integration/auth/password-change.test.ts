import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { POST as login } from '@/app/api/auth/login/route';
import { GET as me } from '@/app/api/auth/me/route';
import { POST as changePassword } from '@/app/api/auth/password/route';
import { GET as listRuns } from '@/app/api/runs/route';
import { GET as listOperators } from '@/app/api/operators/route';
import { INITIAL_PASSWORD_FILE, ensureInitialAdmin } from '@/server/auth/ensure-initial-admin';
import { LOGIN_LIMITS } from '@/server/auth/login';
import { parseConfig } from '@/server/config';
import { useTestDatabase } from '../../support/db';
import { useTestRuntime } from '../../support/runtime';
import { PASSWORD, apiTokenFor, auditRows, authTablesDigest, createOperatorRow, errorOf, request, signIn } from '../../support/api';

const change = (session: string, body: unknown) => changePassword(request('/api/auth/password', { session, body }), undefined);

describe('passwords', () => {
  it('make the first admin change a generated password before anything else, then remove the file that held it', async () => {
    const { database } = await useTestDatabase();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-initial-admin-'));
    const env = { KILN_DATA_DIR: dataDir, KILN_ADMIN_EMAIL: 'first@example.com' };
    await useTestRuntime(database, { env });
    const created = await ensureInitialAdmin(database, parseConfig(env), pino({ level: 'silent' }));
    expect(created).toMatchObject({ created: true, passwordFile: path.join(dataDir, INITIAL_PASSWORD_FILE) });
    const generated = fs.readFileSync(path.join(dataDir, INITIAL_PASSWORD_FILE), 'utf8').trim();

    const signedIn = await login(request('/api/auth/login', { body: { email: 'first@example.com', password: generated } }), undefined);
    expect(signedIn.status).toBe(200);
    expect(((await signedIn.json()) as { operator: { mustChangePassword?: boolean } }).operator.mustChangePassword).toBe(true);
    const session = /kiln_session=([^;]+)/.exec(signedIn.headers.get('set-cookie')!)![1]!;

    // Everything but who-am-I, sign-out and the change itself is refused meanwhile.
    expect(await errorOf(await listOperators(request('/api/operators', { session }), undefined))).toMatchObject({ status: 403, code: 'password_change_required' });
    expect(await errorOf(await listRuns(request('/api/runs', { session }), undefined))).toMatchObject({ status: 403, code: 'password_change_required' });
    expect(((await (await me(request('/api/auth/me', { session }), undefined)).json()) as { actor: { mustChangePassword?: boolean } }).actor.mustChangePassword).toBe(true);

    expect(await errorOf(await change(session, { currentPassword: generated, newPassword: generated }))).toMatchObject({ status: 400, field: 'newPassword' });
    expect(await errorOf(await change(session, { currentPassword: generated, newPassword: 'short' }))).toMatchObject({ status: 400, field: 'newPassword' });
    expect(fs.existsSync(path.join(dataDir, INITIAL_PASSWORD_FILE))).toBe(true);

    expect((await change(session, { currentPassword: generated, newPassword: 'my own long password' })).status).toBe(200);
    expect(fs.existsSync(path.join(dataDir, INITIAL_PASSWORD_FILE))).toBe(false);
    expect((await listOperators(request('/api/operators', { session }), undefined)).status).toBe(200);
    const [row] = await database.rows<{ must_change_password: boolean }>(sql`select must_change_password from operators where email = 'first@example.com'`);
    expect(row!.must_change_password).toBe(false);
    expect((await login(request('/api/auth/login', { body: { email: 'first@example.com', password: generated } }), undefined)).status).toBe(401);
    expect((await auditRows(database, sql`action = 'auth.password_change'`)).map((a) => [a.actor, a.after?.wasGenerated])).toEqual([['first@example.com', true]]);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('let every operator change their own: the current password is required, and their other sessions end', async () => {
    const { database } = await useTestDatabase();
    await useTestRuntime(database);
    const id = await createOperatorRow(database, { email: 'ada@example.com', role: 'viewer' });
    const here = await signIn('ada@example.com');
    const elsewhere = await signIn('ada@example.com');
    const before = await authTablesDigest(database);

    expect(await errorOf(await change(here, { currentPassword: 'not my password', newPassword: 'a brand new password' }))).toMatchObject({ status: 400, field: 'currentPassword' });
    expect(await errorOf(await change(here, { newPassword: 'a brand new password' }))).toMatchObject({ status: 400, field: 'currentPassword' });
    expect(await errorOf(await change(here, { currentPassword: PASSWORD, newPassword: 'a brand new password', role: 'admin' }))).toMatchObject({ status: 400, field: 'role' });
    const unchanged = await authTablesDigest(database);
    expect({ ...unchanged, rate_limits: '' }).toEqual({ ...before, rate_limits: '' });

    expect((await change(here, { currentPassword: PASSWORD, newPassword: 'a brand new password' })).status).toBe(200);
    expect((await me(request('/api/auth/me', { session: here }), undefined)).status).toBe(200);
    expect((await me(request('/api/auth/me', { session: elsewhere }), undefined)).status).toBe(401);
    const sessions = await database.rows<{ n: number }>(sql`select count(*)::int as n from operator_sessions where operator_id = ${id}`);
    expect(sessions[0]!.n).toBe(1);
    expect((await login(request('/api/auth/login', { body: { email: 'ada@example.com', password: 'a brand new password' } }), undefined)).status).toBe(200);
  });

  it('count a wrong current password like a failed sign-in: a stolen session cannot guess freely', async () => {
    const { database } = await useTestDatabase();
    await useTestRuntime(database);
    await createOperatorRow(database, { email: 'ada@example.com', role: 'viewer' });
    const session = await signIn('ada@example.com');
    for (let i = 0; i < LOGIN_LIMITS.perPair; i++) {
      expect((await change(session, { currentPassword: `guess ${i}`, newPassword: 'a brand new password' })).status).toBe(400);
    }
    const refused = await change(session, { currentPassword: PASSWORD, newPassword: 'a brand new password' });
    expect(await errorOf(refused)).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('have no meaning for an API token', async () => {
    const { database } = await useTestDatabase();
    await useTestRuntime(database);
    const token = await apiTokenFor(database, 'viewer');
    const response = await changePassword(request('/api/auth/password', { token: token.secret, body: { currentPassword: 'x', newPassword: 'a brand new password' } }), undefined);
    expect(await errorOf(response)).toMatchObject({ status: 403 });
  });
});
