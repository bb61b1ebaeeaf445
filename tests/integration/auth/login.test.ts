import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { POST } from '@/app/api/auth/login/route';
import { LOGIN_LIMITS } from '@/server/auth/login';
import { HASH_CONCURRENCY, hashLoad } from '@/server/auth/passwords';
import { pruneExpiredRateLimits } from '@/server/auth/rate-limit';
import { sha256 } from '@/server/auth/secrets';
import { useTestDatabase } from '../../support/db';
import { useTestRuntime } from '../../support/runtime';
import { PASSWORD, PEER, auditRows, authTablesDigest, createOperatorRow, errorOf, request } from '../../support/api';

const login = (body: unknown, call: Parameters<typeof request>[1] = {}) => POST(request('/api/auth/login', { body, ...call }), undefined);
const from = (peer: string) => ({ peer });

async function setup(env: Record<string, string> = {}) {
  const { database } = await useTestDatabase();
  const runtime = await useTestRuntime(database, { env });
  const id = await createOperatorRow(database, { email: 'ada@example.com', role: 'operator', name: 'Ada' });
  return { database, runtime, id };
}

const count = async (database: Parameters<typeof auditRows>[0], table: string) =>
  (await database.rows<{ n: number }>(sql.raw(`select count(*)::int as n from ${table}`)))[0]!.n;

describe('POST /api/auth/login', () => {
  it('signs in with the right password and records the connection’s address, not the one a client claims', async () => {
    const { database, id } = await setup();
    const response = await login(
      { email: 'Ada@Example.com', password: PASSWORD },
      { peer: '198.51.100.23', headers: { 'x-forwarded-for': '203.0.113.9, 10.0.0.1', 'x-real-ip': '203.0.113.10', 'user-agent': 'test-agent' } },
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ operator: { id, email: 'ada@example.com', name: 'Ada', role: 'operator' } });

    const cookie = response.headers.get('set-cookie')!;
    const attributes = cookie.split('; ');
    expect(attributes[0]).toMatch(/^kiln_session=[A-Za-z0-9_-]{43}$/);
    expect(attributes).toEqual(expect.arrayContaining(['Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${7 * 24 * 3600}`]));
    expect(attributes).not.toContain('Secure');

    // The table holds the secret's hash, never the secret itself.
    const secret = attributes[0]!.slice('kiln_session='.length);
    const sessions = await database.rows<{ id: string; operator_id: number; ip: string; user_agent: string }>(sql`select id, operator_id, ip, user_agent from operator_sessions`);
    expect(sessions).toEqual([{ id: sha256(secret), operator_id: id, ip: '198.51.100.23', user_agent: 'test-agent' }]);
    expect(await auditRows(database, sql`action like 'auth.%'`)).toEqual([
      expect.objectContaining({ actor: 'ada@example.com', actor_role: 'operator', action: 'auth.login', outcome: 'ok', ip: '198.51.100.23' }),
    ]);
    // A success leaves no counter behind.
    expect(await database.rows(sql`select key, count from rate_limits where count > 0`)).toEqual([]);
  });

  it('marks the cookie Secure when the public origin is https, never because a client says so', async () => {
    await setup();
    const claimed = await login({ email: 'ada@example.com', password: PASSWORD }, { headers: { 'x-forwarded-proto': 'https' } });
    expect(claimed.headers.get('set-cookie')!.split('; ')).not.toContain('Secure');

    await setup({ KILN_TRUSTED_PROXIES: '10.0.0.0/8' });
    const proxied = await login({ email: 'ada@example.com', password: PASSWORD }, { peer: '10.1.2.3', origin: 'https://localhost', headers: { 'x-forwarded-proto': 'https' } });
    expect(proxied.headers.get('set-cookie')!.split('; ')).toContain('Secure');

    await setup({ KILN_PUBLIC_URL: 'https://kiln.example.com' });
    const pinned = await login({ email: 'ada@example.com', password: PASSWORD }, { origin: 'https://kiln.example.com' });
    expect(pinned.headers.get('set-cookie')!.split('; ')).toContain('Secure');
  });

  it('answers a wrong password, an unknown email and a disabled operator alike, writes no row per attempt, and sums them up once a minute', async () => {
    const { database, runtime } = await setup();
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
    expect(await count(database, 'operator_sessions')).toBe(0);
    expect(await auditRows(database)).toEqual([]);

    await runtime.refusals.flush();
    const [summary, ...more] = await auditRows(database);
    expect(more).toEqual([]);
    expect(summary).toMatchObject({ actor: 'anonymous', action: 'access.refused', outcome: 'denied', ip: PEER });
    expect(summary!.after).toEqual({
      count: 4,
      reasons: { login_failed_wrong_password: 1, login_failed_unknown_email: 2, login_failed_disabled: 1 },
      samples: ['ada@example.com', 'nobody@example.com', 'gone@example.com', 'not an email'],
    });
  });

  it('spends comparable time on an unknown email and on a wrong password', async () => {
    await setup();
    const time = async (email: string, i: number) => {
      const started = performance.now();
      expect((await login({ email, password: 'wrong wrong wrong' }, from(`198.51.100.${i}`))).status).toBe(401);
      return performance.now() - started;
    };
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 5; i++) {
      known.push(await time('ada@example.com', i));
      unknown.push(await time(`nobody${i}@example.com`, i));
    }
    // An unanswered argon2 verification would make unknown emails several times faster.
    expect(median(unknown)).toBeGreaterThan(median(known) * 0.5);
  });

  it('cannot be turned against an operator: wrong passwords from other addresses never refuse the right one from a clean address', async () => {
    const { database } = await setup();
    // The attack that locked admins out: guesses from many addresses, far past the old limit of ten.
    for (let i = 0; i < 15; i++) {
      expect((await login({ email: 'ada@example.com', password: `guess ${i}` }, from(`203.0.113.${i}`))).status).toBe(401);
    }
    const [failures] = await database.rows<{ count: number }>(sql`select count from rate_limits where key = ${`login:account:${sha256('ada@example.com').slice(0, 32)}`}`);
    expect(failures!.count).toBe(15);
    // The account is under attack: every attempt on it is slowed down, and still answered.
    const started = performance.now();
    const response = await login({ email: 'ada@example.com', password: PASSWORD }, from('198.51.100.77'));
    expect(response.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(LOGIN_LIMITS.slowDelayMs - 50);
    expect(await count(database, 'operator_sessions')).toBe(1);
  });

  it('refuses one address on one account after five failures (429 with Retry-After), right password included, and nobody else', async () => {
    const { database, runtime } = await setup();
    await createOperatorRow(database, { email: 'bob@example.com', role: 'viewer' });
    for (let i = 0; i < LOGIN_LIMITS.perPair; i++) {
      expect((await login({ email: 'ada@example.com', password: `guess ${i}` }, from('203.0.113.5'))).status).toBe(401);
    }
    const before = await authTablesDigest(database);
    const refused = await login({ email: 'ada@example.com', password: PASSWORD }, from('203.0.113.5'));
    expect(await errorOf(refused)).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(15 * 60);
    // A forged X-Forwarded-For is no way around it: the peer is the client.
    expect((await login({ email: 'ada@example.com', password: PASSWORD }, { peer: '203.0.113.5', headers: { 'x-forwarded-for': '192.0.2.99' } })).status).toBe(429);
    // The refusals wrote nothing.
    expect(await authTablesDigest(database)).toEqual(before);
    expect(runtime.refusals.pending().get('203.0.113.5')?.reasons).toMatchObject({ login_throttled_pair: 2 });

    // The same address may still sign in to another account; another address to this one.
    expect((await login({ email: 'bob@example.com', password: PASSWORD }, from('203.0.113.5'))).status).toBe(200);
    expect((await login({ email: 'ada@example.com', password: PASSWORD }, from('198.51.100.1'))).status).toBe(200);
  });

  it('lets no more than five of thirty parallel guesses from one address through to a password check', async () => {
    const { database } = await setup();
    const responses = await Promise.all(Array.from({ length: 30 }, () => login({ email: 'ada@example.com', password: 'parallel guess!' }, from('203.0.113.30'))));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(LOGIN_LIMITS.perPair);
    expect(statuses.filter((s) => s === 429)).toHaveLength(30 - LOGIN_LIMITS.perPair);
    const [pair] = await database.rows<{ count: number }>(sql`select count from rate_limits where key like 'login:pair:%'`);
    expect(pair!.count).toBe(LOGIN_LIMITS.perPair);
  });

  it('limits failures per client address across accounts, and a success there does not reset it', async () => {
    const { database } = await setup();
    for (let i = 0; i < LOGIN_LIMITS.perAddress - 1; i++) {
      expect((await login({ email: `user${i}@example.com`, password: 'wrong wrong wrong' }, from('192.0.2.7'))).status).toBe(401);
    }
    expect((await login({ email: 'ada@example.com', password: PASSWORD }, from('192.0.2.7'))).status).toBe(200);
    expect((await login({ email: 'user49@example.com', password: 'wrong wrong wrong' }, from('192.0.2.7'))).status).toBe(401);
    const limited = await login({ email: 'user50@example.com', password: 'wrong wrong wrong' }, from('192.0.2.7'));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await login({ email: 'ada@example.com', password: PASSWORD }, from('192.0.2.8'))).status).toBe(200);
    const [counter] = await database.rows<{ count: number }>(sql`select count from rate_limits where key = 'login:address:192.0.2.7'`);
    expect(counter!.count).toBe(LOGIN_LIMITS.perAddress);
  });

  it('keeps its counters only as long as their window: expired rows are swept', async () => {
    const { database } = await setup();
    for (let i = 0; i < 3; i++) await login({ email: `nobody${i}@example.com`, password: 'wrong wrong wrong' });
    // Three pairs, three accounts, one address.
    expect(await count(database, 'rate_limits')).toBe(7);
    expect(await pruneExpiredRateLimits(database)).toBe(0);
    await database.rows(sql`update rate_limits set window_start = window_start - interval '15 minutes', expires_at = expires_at - interval '15 minutes'`);
    expect(await pruneExpiredRateLimits(database)).toBe(7);
    expect(await count(database, 'rate_limits')).toBe(0);
  });

  it('checks at most a few passwords at once, however many sign-ins arrive together', async () => {
    await setup();
    let most = 0;
    const watch = setInterval(() => (most = Math.max(most, hashLoad().active)), 1);
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, i) => login({ email: `nobody${i}@example.com`, password: 'wrong wrong wrong' }, from(`198.51.100.${i + 1}`))),
    );
    clearInterval(watch);
    for (const response of responses) expect([401, 503]).toContain(response.status);
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(HASH_CONCURRENCY);
    expect(hashLoad()).toEqual({ active: 0, waiting: 0 });
  });

  it('refuses a sign-in posted from another site', async () => {
    const { database } = await setup();
    const response = await login({ email: 'ada@example.com', password: PASSWORD }, { origin: 'https://evil.example' });
    expect(await errorOf(response)).toMatchObject({ status: 403, code: 'forbidden' });
    expect(await count(database, 'operator_sessions')).toBe(0);
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
      // The finding: a NUL byte in the email answered 500 before anyone signed in.
      [{ body: { email: 'ada\u0000@example.com', password: PASSWORD } }, 400, 'email'],
      [{ rawBody: '{"email": "ada@example.com", "email": "bob@example.com", "password": "x"}' }, 400, 'email'],
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
