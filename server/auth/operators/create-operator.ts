import 'server-only';
import type { Actor } from '@/lib/api/auth';
import type { CreateOperatorRequest, OperatorView } from '@/lib/api/operators';
import { recordAudit } from '../../audit/record-audit';
import type { Database } from '../../db/client';
import { operators } from '../../db/schema';
import { AppError } from '../../errors';
import type { ClientInfo } from '../client-info';
import { hashPassword } from '../passwords';
import { auditedFields, toOperatorView } from './operator-view';

/** Adds an operator (admins only); 409 when the email is taken. */
export async function createOperator(database: Database, input: CreateOperatorRequest, actor: Actor, client: ClientInfo): Promise<OperatorView> {
  const passwordHash = await hashPassword(input.password);
  return database.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(operators)
      .values({ email: input.email, name: input.name, role: input.role, passwordHash })
      .onConflictDoNothing({ target: operators.email })
      .returning();
    if (!row) throw new AppError('conflict', `email: an operator with ${input.email} exists already`, { field: 'email' });
    await recordAudit(tx, { actor, action: 'operator.create', target: `operator:${row.id}`, after: auditedFields(row), ...client });
    return toOperatorView(row);
  });
}
