import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { POST } from '@/app/api/auth/login/route';
import { sha256 } from '@/server/auth/secrets';
import { useTestDatabase } from '../../support/db';
import { useTestRuntime } from '../../support/runtime';
import { PASSWORD, auditRows, authTablesDigest, createOperatorRow, errorOf, request } from '../../support/api';

const login = (body: unknown, call: Parameters<typeof request>[1] = {}) => POST(request('/api/auth/login', { body, ...call }), undefined);

async function setup() {
  const { database } = await useTestDatabase();
  await useTestRuntime(database);
  const id = await createOperatorRow(database, { email: 'ada@example.com', role: 'operator', name: 'Ada' });
  return { database, id };
}

describe('POST /api/auth/login', () => {
  it('signs in with the right password and sets an HttpOnly, SameSite=Lax session cookie', async () => {
    const { database, id } = await setup();
    const response = await login({ email: 'Ada@Example.com', password: PASSWORD }, { headers: { 'x-forwarded-for': '203.0.113.9, 10.0.0.1', 'user-agent': 'test-agent' } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ operator: { id, email: 'ada@example.com', name: 'Ada', role: 'operator' } });

    const cookie = response.headers.get('set-cookie')!;
    const attributes = cookie.split('; ');
    expect(attributes[0]).toMatch(/^kiln_session=[A-Za-z0-9_-]{43}$/);
    expect(attributes).toEqual(expect.arrayContaining(['Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${7 * 24 * 3600}`]));
    expect(attributes).not.toContain('Secure');

    // The table holds the secret's hash, never the secret itself.
    const secret = attributes[0]!.slice('kiln_session='.length);
    const sessions = await database.rows<{ id: string; operator_id: number; ip: string; user_agent: string; lifetime: number }>(
      sql`select id, operator_id, ip, user_agent, extract(epoch from expires_at - created_at)::int as lifetime from operator_sessions`,
    );
    expect(sessions).toEqual([{ id: sha256(secret), operator_id: id, ip: '203.0.113.9', user_agent: 'test-agent', lifetime: 7 * 24 * 3600 }]);
    const [operator] = await database.rows<{ signed_in: boolean }>(sql`select last_login_at is not null as signed_in from operators where id = ${id}`);
    expect(operator!.signed_in).toBe(true);
    expect(await auditRows(database, sql`action like 'auth.%'`)).toEqual([
      expect.objectContaining({ actor: 'ada@example.com', actor_role: 'operator', action: 'auth.login', outcome: 'ok', ip: '203.0.113.9' }),
    ]);
  });

  it('marks the cookie Secure when the request arrived over HTTPS, directly or at a proxy', async () => {
    await setup();
    const behindProxy = await login({ email: 'ada@example.com', password: PASSWORD }, { headers: { 'x-forwarded-proto': 'https' } });
    expect(behindProxy.headers.get('set-cookie')!.split('; ')).toContain('Secure');
    const direct = await POST(
      new Request('https://kiln.example.com/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'ada@example.com', password: PASSWORD }) }),
      undefined,
    );
    expect(direct.status).toBe(200);
    expect(direct.headers.get('set-cookie')!.split('; ')).toContain('Secure');
  });

  it('answers a wrong password, an unknown email and a disabled operator alike, and logs why', async () => {
    const { database } = await setup();
    await createOperatorRow(database, { email: 'gone@example.com', role: 'admin', disabled: true });
    const answers = [
      await login({ email: 'ada@example.com', password: 'not the password' }),
      await login({ email: 'nobody@example.com', password: PASSWORD }),
      await login({ email: 'gone@example.com', password: PASSWORD }),
      await login({ email: 'not an email', password: PASSWORD }),
    ];
    const errors = await Promise.all(answers.map(errorOf));
    for (const error of errors) expect(error).toEqual({ status: 401, code: 'unauthenticated', message: errors[0]!.message });
    expect(answers.every((a) => a.headers.get('set-cookie') === null)).toBe(true);
    const failures = await auditRows(database, sql`action = 'auth.login_failed'`);
    expect(failures.map((f) => [f.actor, f.outcome, f.after?.reason])).toEqual([
      ['ada@example.com', 'denied', 'wrong_password'],
      ['nobody@example.com', 'denied', 'unknown_email'],
      ['gone@example.com', 'denied', 'disabled'],
      ['not an email', 'denied', 'unknown_email'],
    ]);
    const [sessions] = await database.rows<{ n: number }>(sql`select count(*)::int as n from operator_sessions`);
    expect(sessions!.n).toBe(0);
  });

  it('spends comparable time on an unknown email and on a wrong password', async () => {
    await setup();
    const time = async (email: string) => {
      const started = performance.now();
      expect((await login({ email, password: 'wrong wrong wrong' })).status).toBe(401);
      return performance.now() - started;
    };
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 5; i++) {
      known.push(await time('ada@example.com'));
      unknown.push(await time(`nobody${i}@example.com`));
    }
    // An unanswered argon2 verification would make unknown emails several times faster.
    expect(median(unknown)).toBeGreaterThan(median(known) * 0.5);
  });

  it('gives 429 with Retry-After from the 11th wrong password on, and the audit log shows every attempt', async () => {
    const { database } = await setup();
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 20; i++) {
      const response = await login({ email: 'ada@example.com', password: `wrong password ${i}` }, { headers: { 'x-forwarded-for': `198.51.100.${i}` } });
      statuses.push(response.status);
      if (response.status === 429) {
        retryAfter = response.headers.get('retry-after');
        expect((await errorOf(response)).code).toBe('rate_limited');
      }
    }
    expect(statuses).toEqual([...Array(10).fill(401), ...Array(10).fill(429)]);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(retryAfter)).toBeLessThanOrEqual(15 * 60);

    // The right password does not get through while the account is locked.
    expect((await login({ email: 'ada@example.com', password: PASSWORD })).status).toBe(429);

    const attempts = await auditRows(database, sql`actor = 'ada@example.com'`);
    expect(attempts.filter((a) => a.action === 'auth.login_failed')).toHaveLength(10);
    expect(attempts.filter((a) => a.action === 'auth.login_rate_limited')).toHaveLength(11);
    expect(attempts.every((a) => a.outcome === 'denied')).toBe(true);
    expect(attempts[19]!.ip).toBe('198.51.100.19');
  });

  it('lets no more than 10 of 30 parallel wrong passwords through to a password check', async () => {
    const { database } = await setup();
    const responses = await Promise.all(Array.from({ length: 30 }, () => login({ email: 'ada@example.com', password: 'parallel guess!' })));
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20);
    const [counter] = await database.rows<{ count: number }>(sql`select count from rate_limits where key = 'login:account:ada@example.com'`);
    expect(counter!.count).toBe(30);
  });

  it('counts again from one when the window has passed', async () => {
    const { database } = await setup();
    for (let i = 0; i < 11; i++) await login({ email: 'ada@example.com', password: 'wrong wrong wrong' });
    expect((await login({ email: 'ada@example.com', password: PASSWORD })).status).toBe(429);
    await database.rows(sql`update rate_limits set window_start = window_start - interval '15 minutes'`);
    expect((await login({ email: 'ada@example.com', password: PASSWORD })).status).toBe(200);
    // A success clears the account's failures.
    const [left] = await database.rows<{ n: number }>(sql`select count(*)::int as n from rate_limits where key like 'login:account:%'`);
    expect(left!.n).toBe(0);
  });

  it('limits failures per client address across accounts, and a success there does not reset it', async () => {
    const { database } = await setup();
    const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });
    for (let i = 0; i < 49; i++) {
      expect((await login({ email: `user${i}@example.com`, password: 'wrong wrong wrong' }, from('192.0.2.7'))).status).toBe(401);
    }
    expect((await login({ email: 'ada@example.com', password: PASSWORD }, from('192.0.2.7'))).status).toBe(200);
    expect((await login({ email: 'user49@example.com', password: 'wrong wrong wrong' }, from('192.0.2.7'))).status).toBe(401);
    const limited = await login({ email: 'user50@example.com', password: 'wrong wrong wrong' }, from('192.0.2.7'));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // x-real-ip is used when there is no x-forwarded-for; another address is not affected.
    expect((await login({ email: 'ada@example.com', password: PASSWORD }, { headers: { 'x-real-ip': '192.0.2.8' } })).status).toBe(200);
    const [counter] = await database.rows<{ count: number }>(sql`select count from rate_limits where key = 'login:address:192.0.2.7'`);
    expect(counter!.count).toBe(51);
  });

  it('refuses a sign-in posted from another site', async () => {
    const { database } = await setup();
    const response = await login({ email: 'ada@example.com', password: PASSWORD }, { origin: 'https://evil.example' });
    expect(await errorOf(response)).toMatchObject({ status: 403, code: 'forbidden' });
    const [sessions] = await database.rows<{ n: number }>(sql`select count(*)::int as n from operator_sessions`);
    expect(sessions!.n).toBe(0);
  });

  it('answers bad input with a 4xx naming the field, and changes nothing', async () => {
    const { database } = await setup();
    const before = await authTablesDigest(database);
    const cases: [Parameters<typeof request>[1], number, string | undefined][] = [
      [{ rawBody: '{"email": "ada@example.com", ' }, 400, undefined],
      [{ rawBody: JSON.stringify({ email: 'ada@example.com', password: PASSWORD }), contentType: 'text/plain' }, 415, undefined],
      [{ rawBody: JSON.stringify({ email: 'ada@example.com', password: 'x'.repeat(70_000) }) }, 413, undefined],
      [{ body: { email: 'ada@example.com', password: PASSWORD, remember: true } }, 400, 'remember'],
      [{ body: { email: 42, password: PASSWORD } }, 400, 'email'],
      [{ body: { email: 'ada@example.com', password: null } }, 400, 'password'],
      [{ body: { email: 'ada@example.com' } }, 400, 'password'],
      [{ body: { email: 'ada@example.com', password: 'p'.repeat(257) } }, 400, 'password'],
      [{ body: [] }, 400, undefined],
    ];
    for (const [call, status, field] of cases) {
      const error = await errorOf(await POST(request('/api/auth/login', call), undefined));
      expect(error.status, JSON.stringify(call).slice(0, 100)).toBe(status);
      expect(error.field).toBe(field);
      if (field) expect(error.message).toContain(field);
    }
    expect(await authTablesDigest(database)).toEqual(before);
  });
});
