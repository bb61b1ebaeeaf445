import 'server-only';
import type { Actor } from '@/lib/api/auth';
import type { AuditOutcome } from '@/lib/api/audit';
import type { Db } from '../db/client';
import { auditLog } from '../db/schema';

export type AuditRecord = {
  /** Who: the authorized Actor, or a plain name ('system', or the email a failed sign-in named). */
  actor: Actor | string;
  /** The actor's role when it acted; taken from an Actor when omitted. */
  role?: string | null;
  /** A dotted name: `auth.login`, `operator.update`, `run.trigger`, `access.denied`... */
  action: string;
  /** What it acted on: `operator:3`, `token:7`, `run:<uuid>`, `POST /api/runs`... */
  target?: string | null;
  outcome?: AuditOutcome;
  before?: unknown;
  after?: unknown;
  ip?: string | null;
  userAgent?: string | null;
  requestId?: string | null;
};

const ACTION = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/;

/** How an actor is written in the audit log: an operator by email, a token as `token:<name>`. */
export function actorName(actor: Actor | string): string {
  if (typeof actor === 'string') return actor;
  return actor.kind === 'operator' ? actor.label : `token:${actor.label}`;
}

/**
 * Appends one entry to the audit log (nothing updates one; the audit_log retention policy deletes old ones). Pass a transaction as
 * `db` to make the entry part of the change it describes: both are kept, or neither.
 */
export async function recordAudit(db: Db, record: AuditRecord): Promise<void> {
  if (!ACTION.test(record.action)) throw new Error(`Audit action "${record.action}" must be a dotted lower-case name such as run.trigger`);
  await db.insert(auditLog).values({
    actor: actorName(record.actor),
    actorRole: record.role !== undefined ? record.role : typeof record.actor === 'string' ? null : record.actor.role,
    action: record.action,
    target: record.target ?? null,
    outcome: record.outcome ?? 'ok',
    before: record.before ?? null,
    after: record.after ?? null,
    ip: record.ip ?? null,
    userAgent: record.userAgent ?? null,
    requestId: record.requestId ?? null,
  });
}
