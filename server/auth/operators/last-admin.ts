import 'server-only';
import { and, eq, isNull, ne, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { operators } from '../../db/schema';
import { AppError } from '../../errors';

// Any fixed number: the advisory lock that serializes changes to who is an admin.
const OPERATORS_LOCK = 4_818_001;

/**
 * Takes the lock every operator change holds until its transaction ends. Without it, two admins
 * demoting each other at the same moment would each see the other still an admin, and both win.
 */
export async function lockOperators(tx: Db): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${OPERATORS_LOCK})`);
}

/** Refuses (409) a change that would leave no enabled admin besides operator `id`. */
export async function assertAnotherActiveAdmin(tx: Db, id: number, change: string): Promise<void> {
  const [other] = await tx
    .select({ id: operators.id })
    .from(operators)
    .where(and(eq(operators.role, 'admin'), isNull(operators.disabledAt), ne(operators.id, id)))
    .limit(1);
  if (!other) {
    throw new AppError('conflict', `Cannot ${change} the last active admin: make another operator an admin first`, { field: 'id' });
  }
}
