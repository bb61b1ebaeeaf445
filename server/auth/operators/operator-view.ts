import 'server-only';
import type { OperatorView } from '@/lib/api/operators';
import type { Operator } from '../../db/schema';

/** An operator as the API shows it: never the password hash. */
export function toOperatorView(row: Operator): OperatorView {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    disabled: row.disabledAt !== null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    lastLoginAt: row.lastLoginAt?.toISOString() ?? null,
    version: row.version,
  };
}

/** The fields an audit entry shows before and after a change (no secrets). */
export function auditedFields(row: Operator): Record<string, unknown> {
  return { email: row.email, name: row.name, role: row.role, disabled: row.disabledAt !== null };
}
