import 'server-only';
import { asc, eq } from 'drizzle-orm';
import type { OperatorView } from '@/lib/api/operators';
import type { Database } from '../../db/client';
import { operators } from '../../db/schema';
import { AppError } from '../../errors';
import { toOperatorView } from './operator-view';

export async function listOperators(database: Database): Promise<OperatorView[]> {
  const rows = await database.db.select().from(operators).orderBy(asc(operators.id));
  return rows.map(toOperatorView);
}

export async function getOperator(database: Database, id: number): Promise<OperatorView> {
  const [row] = await database.db.select().from(operators).where(eq(operators.id, id));
  if (!row) throw new AppError('not_found', `id: no operator ${id}`, { field: 'id' });
  return toOperatorView(row);
}
