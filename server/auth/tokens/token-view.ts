import 'server-only';
import type { ApiTokenView } from '@/lib/api/tokens';
import type { ApiToken } from '../../db/schema';

/** A token as the API shows it: its prefix, never its hash. */
export function toTokenView(row: ApiToken): ApiTokenView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    role: row.role,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}

export function auditedTokenFields(row: ApiToken): Record<string, unknown> {
  return { name: row.name, prefix: row.prefix, role: row.role, expiresAt: row.expiresAt?.toISOString() ?? null, revoked: row.revokedAt !== null };
}
