import 'server-only';
import { eq } from 'drizzle-orm';
import type { Actor } from '@/lib/api/auth';
import type { OperatorView } from '@/lib/api/operators';
import { recordAudit } from '../../audit/record-audit';
import type { Database } from '../../db/client';
import { operators } from '../../db/schema';
import { AppError } from '../../errors';
import type { ClientInfo } from '../client-info';
import { assertAnotherActiveAdmin, lockOperators } from './last-admin';
import { auditedFields, toOperatorView } from './operator-view';

/**
 * Removes an operator and (by cascade) their sessions; never the last active admin (409). The
 * audit log keeps their email, since entries name actors by text and not by row.
 */
export async function deleteOperator(database: Database, id: number, actor: Actor, client: ClientInfo): Promise<OperatorView> {
  return database.db.transaction(async (tx) => {
    await lockOperators(tx);
    const [current] = await tx.select().from(operators).where(eq(operators.id, id));
    if (!current) throw new AppError('not_found', `id: no operator ${id}`, { field: 'id' });
    if (current.role === 'admin' && current.disabledAt === null) await assertAnotherActiveAdmin(tx, id, 'remove');
    await tx.delete(operators).where(eq(operators.id, id));
    await recordAudit(tx, { actor, action: 'operator.delete', target: `operator:${id}`, before: auditedFields(current), ...client });
    return toOperatorView(current);
  });
}
