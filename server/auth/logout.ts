import 'server-only';
import type { Actor } from '@/lib/api/auth';
import { recordAudit } from '../audit/record-audit';
import type { Database } from '../db/client';
import type { ClientInfo } from './client-info';
import { deleteSession } from './sessions';

/** Ends the session a cookie's secret names. An API token has no session: nothing to end. */
export async function logout(database: Database, actor: Actor, secret: string | undefined, client: ClientInfo): Promise<void> {
  if (actor.kind !== 'operator' || !secret) return;
  await deleteSession(database, secret);
  await recordAudit(database.db, { actor, action: 'auth.logout', target: actor.label, ...client });
}
