import 'server-only';
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import { type AccessRole, type Role, weakerRole } from '@/lib/api/auth';
import type { Database } from '../../db/client';
import { apiTokens } from '../../db/schema';
import { sha256 } from '../secrets';
import { looksLikeToken } from './token-secret';

const TOUCH_EVERY_SECONDS = 60;

export type TokenLookup =
  | { status: 'ok'; token: { id: number; name: string; role: AccessRole } }
  | { status: 'invalid'; reason: 'unknown_token' | 'revoked_token' | 'expired_token' | 'creator_inactive'; name?: string };

/**
 * The API token a Bearer value names, if it is live. Its role is read fresh on every request and
 * capped by its creator's current role: a demoted creator's tokens are demoted with them, and a
 * disabled or removed creator's tokens stop working.
 */
export async function findToken(database: Database, bearer: string): Promise<TokenLookup> {
  if (!looksLikeToken(bearer)) return { status: 'invalid', reason: 'unknown_token' };
  const [row] = await database.rows<{ id: number; name: string; role: AccessRole; revoked: boolean; expired: boolean; creator_role: Role | null }>(sql`
    select t.id, t.name, t.role, t.revoked_at is not null as revoked, coalesce(t.expires_at <= now(), false) as expired,
           case when o.disabled_at is null then o.role end as creator_role
    from api_tokens t left join operators o on o.id = t.created_by_operator_id
    where t.token_hash = ${sha256(bearer)}`);
  if (!row) return { status: 'invalid', reason: 'unknown_token' };
  if (row.revoked) return { status: 'invalid', reason: 'revoked_token', name: row.name };
  if (row.expired) return { status: 'invalid', reason: 'expired_token', name: row.name };
  if (row.creator_role === null) return { status: 'invalid', reason: 'creator_inactive', name: row.name };
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
  return { status: 'ok', token: { id: row.id, name: row.name, role: weakerRole(row.role, row.creator_role) } };
}
