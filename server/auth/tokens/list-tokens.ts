import 'server-only';
import { desc } from 'drizzle-orm';
import type { ApiTokenView } from '@/lib/api/tokens';
import type { Database } from '../../db/client';
import { apiTokens } from '../../db/schema';
import { toTokenView } from './token-view';

/** Every API token, newest first, revoked and expired ones included (they explain old audit entries). */
export async function listTokens(database: Database): Promise<ApiTokenView[]> {
  const rows = await database.db.select().from(apiTokens).orderBy(desc(apiTokens.createdAt), desc(apiTokens.id));
  return rows.map(toTokenView);
}
