import 'server-only';
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { recordAudit } from '../audit/record-audit';
import type { Config } from '../config';
import type { Database } from '../db/client';
import { operators } from '../db/schema';
import type { Logger } from '../logger';
import { lockOperators } from './operators/last-admin';
import { hashPassword } from './passwords';
import { randomSecret } from './secrets';

export const INITIAL_PASSWORD_FILE = 'initial-admin-password';

/**
 * On a database without any operator, creates the first admin: KILN_ADMIN_EMAIL with
 * KILN_ADMIN_PASSWORD, or, without a password, a random one printed once in the log and written
 * to <KILN_DATA_DIR>/initial-admin-password (mode 0600). A generated password must be changed at
 * the first sign-in (everything else is refused until then); the change removes the file.
 * Replicas starting together create one admin: the check and the insert run under the operators' lock.
 */
export async function ensureInitialAdmin(
  database: Database,
  config: Pick<Config, 'initialAdmin' | 'dataDir'>,
  logger: Logger,
): Promise<{ created: false } | { created: true; email: string; passwordFile?: string }> {
  const [existing] = await database.rows<{ n: number }>(sql`select count(*)::int as n from operators`);
  if ((existing?.n ?? 0) > 0) return { created: false };

  const { email } = config.initialAdmin;
  const generated = config.initialAdmin.password === undefined;
  const password = config.initialAdmin.password ?? randomSecret(18);
  const passwordHash = await hashPassword(password);
  const created = await database.db.transaction(async (tx) => {
    await lockOperators(tx);
    const [count] = await tx.select({ n: sql<number>`count(*)::int` }).from(operators);
    if ((count?.n ?? 0) > 0) return false;
    const [row] = await tx.insert(operators).values({ email, name: 'Administrator', role: 'admin', passwordHash, mustChangePassword: generated }).returning();
    await recordAudit(tx, { actor: 'system', action: 'operator.create', target: `operator:${row!.id}`, after: { email, role: 'admin', initialAdmin: true, passwordGenerated: generated } });
    return true;
  });
  if (!created) return { created: false };
  if (!generated) {
    logger.info({ email }, `Created the first admin ${email} (password from KILN_ADMIN_PASSWORD)`);
    return { created: true, email };
  }

  const passwordFile = path.join(config.dataDir, INITIAL_PASSWORD_FILE);
  try {
    fs.mkdirSync(config.dataDir, { recursive: true });
    fs.writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
    fs.chmodSync(passwordFile, 0o600); // mode applies only when the file is new
  } catch (error) {
    logger.error({ err: error, passwordFile }, 'Could not write the initial admin password file; the log line below is the only copy');
  }
  // The one time the password appears in clear: the first sign-in must change it (or set KILN_ADMIN_PASSWORD).
  logger.warn({ email, passwordFile }, `Created the first admin ${email} with the generated password ${password} (also in ${passwordFile})`);
  return { created: true, email, passwordFile };
}
