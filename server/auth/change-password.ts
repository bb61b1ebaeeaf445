import 'server-only';
import fs from 'node:fs/promises';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import type { Actor, ChangePasswordRequest } from '@/lib/api/auth';
import type { RefusalLog } from '../audit/refusal-log';
import { recordAudit } from '../audit/record-audit';
import type { Config } from '../config';
import type { Database } from '../db/client';
import { operators } from '../db/schema';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import type { ClientInfo } from './client-info';
import { INITIAL_PASSWORD_FILE } from './ensure-initial-admin';
import { LOGIN_LIMITS } from './login';
import { hashPassword, verifyPassword } from './passwords';
import { peekRateLimit, takeRateLimit } from './rate-limit';
import { sha256 } from './secrets';
import { deleteOperatorSessions } from './sessions';

export type ChangePasswordDeps = { database: Database; refusals: RefusalLog; config: Pick<Config, 'dataDir'>; logger: Logger };

/**
 * An operator changes their own password: the current one is required (a wrong one counts against
 * the same per-address limit as a failed sign-in, so a stolen session cannot guess it freely),
 * the new one must differ. Every other session of the operator ends; this one stays. After the
 * first admin's generated password is changed, the file that held it is removed.
 */
export async function changeOwnPassword(
  deps: ChangePasswordDeps,
  actor: Actor,
  sessionSecret: string | undefined,
  input: ChangePasswordRequest,
  client: ClientInfo,
): Promise<void> {
  const { database } = deps;
  if (actor.kind !== 'operator' || !sessionSecret) throw new AppError('forbidden', 'Only a signed-in operator has a password to change (API tokens have none)');
  const [current] = await database.db.select().from(operators).where(eq(operators.id, actor.id));
  if (!current) throw new AppError('unauthenticated', 'The session has ended: sign in again');

  const pair = { key: `login:pair:${sha256(current.email).slice(0, 32)}:${client.ip ?? 'unknown'}`, limit: LOGIN_LIMITS.perPair, windowSeconds: LOGIN_LIMITS.windowSeconds };
  const now = await peekRateLimit(database, pair);
  if (!now.allowed) {
    throw new AppError('rate_limited', `Too many wrong passwords from this address; try again in ${Math.ceil(now.retryAfterSeconds / 60)} min`, {
      details: { retryAfterSeconds: now.retryAfterSeconds },
    });
  }
  if (!(await verifyPassword(current.passwordHash, input.currentPassword))) {
    await takeRateLimit(database, pair);
    throw new AppError('invalid_request', 'currentPassword: is not your current password', { field: 'currentPassword' });
  }
  if (input.newPassword === input.currentPassword) {
    throw new AppError('invalid_request', 'newPassword: must differ from the current password', { field: 'newPassword' });
  }

  const passwordHash = await hashPassword(input.newPassword);
  await database.db.transaction(async (tx) => {
    await tx.update(operators).set({ passwordHash, mustChangePassword: false, updatedAt: sql`now()` }).where(eq(operators.id, actor.id));
    await deleteOperatorSessions(tx, actor.id, sessionSecret);
    await recordAudit(tx, { actor, action: 'auth.password_change', target: `operator:${actor.id}`, after: { otherSessionsEnded: true, wasGenerated: current.mustChangePassword }, ...client });
  });
  if (current.mustChangePassword) {
    const file = path.join(deps.config.dataDir, INITIAL_PASSWORD_FILE);
    await fs.rm(file, { force: true }).catch((error: unknown) => deps.logger.error({ err: error, file }, 'Could not remove the initial admin password file: remove it by hand'));
  }
}
