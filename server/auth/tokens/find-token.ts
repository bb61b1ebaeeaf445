import 'server-only';
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Role } from '@/lib/api/auth';
import type { Database } from '../../db/client';
import { apiTokens } from '../../db/schema';
import { sha256 } from '../secrets';
import { looksLikeToken } from './token-secret';

const TOUCH_EVERY_SECONDS = 60;

export type TokenLookup =
  | { status: 'ok'; token: { id: number; name: string; role: Role } }
  | { status: 'invalid'; reason: 'unknown_token' | 'revoked_token' | 'expired_token'; name?: string };

/** The API token a Bearer value names, if it is live; its role is read fresh on every request. */
export async function findToken(database: Database, bearer: string): Promise<TokenLookup> {
  if (!looksLikeToken(bearer)) return { status: 'invalid', reason: 'unknown_token' };
  const [row] = await database.rows<{ id: number; name: string; role: Role; revoked: boolean; expired: boolean }>(sql`
    select id, name, role, revoked_at is not null as revoked, coalesce(expires_at <= now(), false) as expired
    from api_tokens where token_hash = ${sha256(bearer)}`);
  if (!row) return { status: 'invalid', reason: 'unknown_token' };
  if (row.revoked) return { status: 'invalid', reason: 'revoked_token', name: row.name };
  if (row.expired) return { status: 'invalid', reason: 'expired_token', name: row.name };
  // Written at most once a minute per token: scripts may poll, and a write per request is waste.
  await database.db
    .update(apiTokens)
    .set({ lastUsedAt: sql`now()` })
    .where(
      and(
        eq(apiTokens.id, row.id),
        or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, sql`now() - ${TOUCH_EVERY_SECONDS}::int * interval '1 second'`)),
      ),
    );
  return { status: 'ok', token: { id: row.id, name: row.name, role: row.role } };
}
