import 'server-only';
import { eq, sql } from 'drizzle-orm';
import type { Actor } from '@/lib/api/auth';
import type { ApiTokenView } from '@/lib/api/tokens';
import { recordAudit } from '../../audit/record-audit';
import type { Database } from '../../db/client';
import { apiTokens } from '../../db/schema';
import { AppError } from '../../errors';
import type { ClientInfo } from '../client-info';
import { auditedTokenFields, toTokenView } from './token-view';

/**
 * Revokes an API token (admins only): refused from the next request on. The row stays, so audit
 * entries keep a name to point to. Revoking a revoked token changes nothing and answers the same.
 */
export async function revokeToken(database: Database, id: number, actor: Actor, client: ClientInfo): Promise<ApiTokenView> {
  return database.db.transaction(async (tx) => {
    const [current] = await tx.select().from(apiTokens).where(eq(apiTokens.id, id)).for('update');
    if (!current) throw new AppError('not_found', `id: no API token ${id}`, { field: 'id' });
    if (current.revokedAt) return toTokenView(current);
    const [revoked] = await tx.update(apiTokens).set({ revokedAt: sql`now()` }).where(eq(apiTokens.id, id)).returning();
    await recordAudit(tx, { actor, action: 'token.revoke', target: `token:${id}`, before: auditedTokenFields(current), after: auditedTokenFields(revoked!), ...client });
    return toTokenView(revoked!);
  });
}
