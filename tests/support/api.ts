import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import type { Role } from '@/lib/api/auth';
import { POST as loginHandler } from '@/app/api/auth/login/route';
import { POST as createTokenHandler } from '@/app/api/tokens/route';
import { hashPassword } from '@/server/auth/passwords';
import { PEER_HEADER } from '@/server/http/edge';
import type { Database } from '@/server/db/client';
import { operators } from '@/server/db/schema';

export const ORIGIN = 'http://localhost';
export const PASSWORD = 'correct horse battery staple';
/** The peer address requests come from unless a test says otherwise. */
export const PEER = '192.0.2.1';

export type Call = {
  method?: string;
  /** A session cookie secret, sent as kiln_session. */
  session?: string;
  /** An API token, sent as Authorization: Bearer. */
  token?: string;
  /** A value to send as JSON, or a raw string body. */
  body?: unknown;
  rawBody?: string;
  contentType?: string | null;
  /** The Origin header; defaults to the app's own for state-changing requests. null: none. */
  origin?: string | null;
  /** The connection's peer address, as Kiln's HTTP server passes it on (default PEER). */
  peer?: string;
  headers?: Record<string, string>;
};

/** A Request as a browser on the app's own page (or a script with a token) would send it. */
export function request(path: string, call: Call = {}): Request {
  const method = call.method ?? (call.body !== undefined || call.rawBody !== undefined ? 'POST' : 'GET');
  const headers: Record<string, string> = { [PEER_HEADER]: call.peer ?? PEER, ...call.headers };
  if (call.session) headers.cookie = `kiln_session=${call.session}`;
  if (call.token) headers.authorization = `Bearer ${call.token}`;
  const origin = call.origin === undefined ? (method === 'GET' ? null : ORIGIN) : call.origin;
  if (origin) headers.origin = origin;
  let body: string | undefined;
  if (call.rawBody !== undefined) body = call.rawBody;
  else if (call.body !== undefined) body = JSON.stringify(call.body);
  if (body !== undefined && call.contentType !== null) headers['content-type'] = call.contentType ?? 'application/json';
  return new Request(`${ORIGIN}${path}`, { method, headers, body });
}

export function params(id: string | number) {
  return { params: Promise.resolve({ id: String(id) }) };
}

export async function createOperatorRow(
  database: Database,
  options: { email: string; role: Role; password?: string; disabled?: boolean; name?: string },
): Promise<number> {
  const [row] = await database.db
    .insert(operators)
    .values({
      email: options.email,
      name: options.name ?? options.email.split('@')[0]!,
      role: options.role,
      passwordHash: await hashPassword(options.password ?? PASSWORD),
      disabledAt: options.disabled ? new Date() : null,
    })
    .returning({ id: operators.id });
  return row!.id;
}

/** Signs in through the login handler and returns the session cookie's secret. */
export async function signIn(email: string, password = PASSWORD, headers: Record<string, string> = {}): Promise<string> {
  // As a script signs in: no Origin (whatever the public origin of the test's runtime is).
  const response = await loginHandler(request('/api/auth/login', { body: { email, password }, headers, origin: null }), undefined);
  expect(response.status, await response.clone().text()).toBe(200);
  const cookie = response.headers.get('set-cookie') ?? '';
  const match = /^kiln_session=([^;]+)/.exec(cookie);
  expect(match, cookie).not.toBeNull();
  return match![1]!;
}

/** An operator of the given role, signed in: its id, email and session secret. */
export async function signedIn(database: Database, role: Role, email = `${role}@example.com`) {
  const id = await createOperatorRow(database, { email, role });
  return { id, email, session: await signIn(email) };
}

export async function errorOf(response: Response): Promise<{ status: number; code: string; message: string; field?: string }> {
  const body = (await response.json()) as { error: { code: string; message: string; field?: string } };
  return { status: response.status, ...body.error };
}

/** A fingerprint of every auth table, to assert that a refused request changed nothing. */
export async function authTablesDigest(database: Database): Promise<Record<string, string>> {
  const digest: Record<string, string> = {};
  for (const table of ['operators', 'operator_sessions', 'api_tokens', 'audit_log', 'rate_limits']) {
    const [row] = await database.rows<{ digest: string | null; n: number }>(
      sql.raw(`select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as digest, count(*)::int as n from ${table} t`),
    );
    digest[table] = `${row!.n}:${row!.digest}`;
  }
  return digest;
}

export async function auditRows(database: Database, where = sql`true`) {
  return database.rows<{ actor: string; actor_role: string | null; action: string; target: string | null; outcome: string; after: Record<string, unknown> | null; ip: string | null }>(
    sql`select actor, actor_role, action, target, outcome, after, ip from audit_log where ${where} order by id`,
  );
}

/**
 * An API token of `role`, created through POST /api/tokens by a signed-in admin (made for the
 * purpose unless `creator` names one): its secret and the creator.
 */
export async function apiTokenFor(
  database: Database,
  role: 'shop_reader' | Role,
  creator?: { id: number; session: string },
): Promise<{ secret: string; id: number; creator: { id: number; session: string } }> {
  const by = creator ?? (await signedIn(database, 'admin', `token-maker-${Math.random().toString(36).slice(2, 8)}@example.com`));
  const response = await createTokenHandler(request('/api/tokens', { session: by.session, body: { name: `${role} ${Math.random().toString(36).slice(2, 6)}`, role } }), undefined);
  expect(response.status, await response.clone().text()).toBe(201);
  const body = (await response.json()) as { secret: string; token: { id: number } };
  return { secret: body.secret, id: body.token.id, creator: by };
}
