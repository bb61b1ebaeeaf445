import 'server-only';
import { eq, sql } from 'drizzle-orm';
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core';
import type { Actor } from '@/lib/api/auth';
import type { OperatorView, UpdateOperatorRequest } from '@/lib/api/operators';
import { recordAudit } from '../../audit/record-audit';
import type { Database } from '../../db/client';
import { operators } from '../../db/schema';
import { AppError } from '../../errors';
import { staleVersion } from '../../http/if-match';
import type { ClientInfo } from '../client-info';
import { hashPassword } from '../passwords';
import { deleteOperatorSessions } from '../sessions';
import { assertAnotherActiveAdmin, lockOperators } from './last-admin';
import { auditedFields, toOperatorView } from './operator-view';

/**
 * Renames, re-roles, disables or enables an operator, or resets their password (admins only),
 * optionally to be replaced by the operator at their next sign-in.
 * With `ifMatch` (the version the admin saw), an operator changed since is refused with 412.
 * Never leaves Kiln without an enabled admin (409). A reset password or a disabling ends the
 * operator's sessions; a role change needs nothing more, since roles are read on every request.
 */
export async function updateOperator(
  database: Database,
  id: number,
  patch: UpdateOperatorRequest,
  actor: Actor,
  client: ClientInfo,
  options: { ifMatch?: number } = {},
): Promise<OperatorView> {
  const passwordHash = patch.password !== undefined ? await hashPassword(patch.password) : undefined;
  return database.db.transaction(async (tx) => {
    await lockOperators(tx);
    const [current] = await tx.select().from(operators).where(eq(operators.id, id));
    if (!current) throw new AppError('not_found', `id: no operator ${id}`, { field: 'id' });
    if (options.ifMatch !== undefined && options.ifMatch !== current.version) throw staleVersion(`Operator ${current.email}`, options.ifMatch, current, toOperatorView(current));

    const activeAdmin = current.role === 'admin' && current.disabledAt === null;
    if (activeAdmin && patch.role !== undefined && patch.role !== 'admin') await assertAnotherActiveAdmin(tx, id, 'demote');
    if (activeAdmin && patch.disabled === true) await assertAnotherActiveAdmin(tx, id, 'disable');

    // Only the fields sent are written (under lockOperators): concurrent edits of different fields both hold.
    const changes: PgUpdateSetSource<typeof operators> = { updatedAt: sql`now()`, version: sql`${operators.version} + 1` };
    if (patch.name !== undefined) changes.name = patch.name;
    if (patch.role !== undefined) changes.role = patch.role;
    if (patch.disabled !== undefined) changes.disabledAt = patch.disabled ? (current.disabledAt ?? sql`now()`) : null;
    // A reset either hands over a password to keep or one to replace at once; the flag is set either way,
    // so a new reset without it clears one still pending from an earlier reset.
    if (passwordHash !== undefined) {
      changes.passwordHash = passwordHash;
      changes.mustChangePassword = patch.mustChangePassword === true;
    }
    const [updated] = await tx.update(operators).set(changes).where(eq(operators.id, id)).returning();

    if (passwordHash !== undefined || (patch.disabled === true && current.disabledAt === null)) await deleteOperatorSessions(tx, id);
    await recordAudit(tx, {
      actor,
      action: 'operator.update',
      target: `operator:${id}`,
      before: auditedFields(current),
      after: { ...auditedFields(updated!), ...(passwordHash !== undefined ? { passwordReset: true, mustChangePassword: updated!.mustChangePassword } : {}) },
      ...client,
    });
    return toOperatorView(updated!);
  });
}
