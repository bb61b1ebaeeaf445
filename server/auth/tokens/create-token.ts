import 'server-only';
import { eq, sql } from 'drizzle-orm';
import type { Actor } from '@/lib/api/auth';
import type { CreateTokenRequest, CreateTokenResponse } from '@/lib/api/tokens';
import { actorName, recordAudit } from '../../audit/record-audit';
import type { Database } from '../../db/client';
import { apiTokens } from '../../db/schema';
import { AppError } from '../../errors';
import type { ClientInfo } from '../client-info';
import { sha256 } from '../secrets';
import { auditedTokenFields, toTokenView } from './token-view';
import { newTokenSecret } from './token-secret';

/**
 * Creates an API token (admins only). The answer is the only place its secret ever appears. The
 * token is tied to the operator behind the request (for a request made with a token, that token's
 * operator): it acts with at most their current role, and stops when they are disabled or removed.
 */
export async function createToken(database: Database, input: CreateTokenRequest, actor: Actor, client: ClientInfo): Promise<CreateTokenResponse> {
  const { secret, prefix } = newTokenSecret();
  return database.db.transaction(async (tx) => {
    const creatorId =
      actor.kind === 'operator'
        ? actor.id
        : ((await tx.select({ id: apiTokens.createdByOperatorId }).from(apiTokens).where(eq(apiTokens.id, actor.id)))[0]?.id ?? null);
    if (creatorId === null) throw new AppError('forbidden', 'This token has no operator behind it any more, so it cannot create tokens');
    const [row] = await tx
      .insert(apiTokens)
      .values({
        name: input.name,
        prefix,
        tokenHash: sha256(secret),
        role: input.role,
        createdBy: actorName(actor),
        createdByOperatorId: creatorId,
        expiresAt: input.expiresInDays === undefined ? null : sql`now() + ${input.expiresInDays}::int * interval '1 day'`,
      })
      .returning();
    await recordAudit(tx, { actor, action: 'token.create', target: `token:${row!.id}`, after: auditedTokenFields(row!), ...client });
    return { token: toTokenView(row!), secret };
  });
}
