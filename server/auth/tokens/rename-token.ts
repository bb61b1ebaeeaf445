import 'server-only';
import { eq } from 'drizzle-orm';
import type { Actor } from '@/lib/api/auth';
import type { ApiTokenView, UpdateTokenRequest } from '@/lib/api/tokens';
import { recordAudit } from '../../audit/record-audit';
import type { Database } from '../../db/client';
import { apiTokens } from '../../db/schema';
import { AppError } from '../../errors';
import type { ClientInfo } from '../client-info';
import { auditedTokenFields, toTokenView } from './token-view';

/** Renames an API token (admins only); its secret and role stay as they are. */
export async function renameToken(database: Database, id: number, input: UpdateTokenRequest, actor: Actor, client: ClientInfo): Promise<ApiTokenView> {
  return database.db.transaction(async (tx) => {
    const [current] = await tx.select().from(apiTokens).where(eq(apiTokens.id, id)).for('update');
    if (!current) throw new AppError('not_found', `id: no API token ${id}`, { field: 'id' });
    const [updated] = await tx.update(apiTokens).set({ name: input.name }).where(eq(apiTokens.id, id)).returning();
    await recordAudit(tx, { actor, action: 'token.update', target: `token:${id}`, before: auditedTokenFields(current), after: auditedTokenFields(updated!), ...client });
    return toTokenView(updated!);
  });
}
