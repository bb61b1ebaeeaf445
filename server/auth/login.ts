import 'server-only';
import { eq, sql } from 'drizzle-orm';
import type { LoginRequest, LoginResponse } from '@/lib/api/auth';
import { recordAudit } from '../audit/record-audit';
import type { Database } from '../db/client';
import { operators } from '../db/schema';
import { AppError } from '../errors';
import type { ClientInfo } from './client-info';
import { verifyPassword } from './passwords';
import { type RateLimitRule, clearRateLimit, hitRateLimit, pruneRateLimits, undoRateLimitHit } from './rate-limit';
import { type NewSession, createSession } from './sessions';

const WINDOW_SECONDS = 15 * 60;
/** Failed sign-ins allowed per window: per account (whoever tries), and per client address. */
export const LOGIN_LIMITS = { perAccount: 10, perAddress: 50, windowSeconds: WINDOW_SECONDS };

const BAD_CREDENTIALS = 'Email or password is incorrect';

/**
 * Signs an operator in and starts a session. Every attempt first takes a slot in the per-account
 * and per-address counters (one atomic upsert each), so parallel guesses cannot slip past the
 * limit; a successful attempt gives its slots back (and clears the account's failures) without
 * resetting what other attempts from its address used. The answer to a wrong password, an unknown
 * email and a disabled operator is the same, and takes as long.
 */
export async function login(database: Database, input: LoginRequest, client: ClientInfo): Promise<LoginResponse & { session: NewSession }> {
  const email = input.email.trim().toLowerCase();
  const account: RateLimitRule = { key: `login:account:${email}`, limit: LOGIN_LIMITS.perAccount, windowSeconds: WINDOW_SECONDS };
  // Without a known address every such client would share one counter (and lock each other out).
  const address: RateLimitRule | null = client.ip
    ? { key: `login:address:${client.ip}`, limit: LOGIN_LIMITS.perAddress, windowSeconds: WINDOW_SECONDS }
    : null;
  const audit = { actor: email, target: email, ...client } as const;

  const hits = await Promise.all([hitRateLimit(database, account), address ? hitRateLimit(database, address) : null]);
  const blocked = hits.filter((h) => h && !h.allowed);
  if (blocked.length > 0) {
    const retryAfterSeconds = Math.max(...blocked.map((h) => h!.retryAfterSeconds));
    const scope = hits[0]!.allowed ? 'address' : 'account';
    await recordAudit(database.db, { ...audit, action: 'auth.login_rate_limited', outcome: 'denied', after: { limitedBy: scope, retryAfterSeconds } });
    throw new AppError('rate_limited', `Too many failed sign-ins; try again in ${Math.ceil(retryAfterSeconds / 60)} min`, {
      details: { retryAfterSeconds },
    });
  }

  const [operator] = await database.db.select().from(operators).where(eq(operators.email, email)).limit(1);
  const passwordOk = await verifyPassword(operator?.passwordHash ?? null, input.password);
  if (!operator || !passwordOk || operator.disabledAt) {
    const reason = !operator ? 'unknown_email' : !passwordOk ? 'wrong_password' : 'disabled';
    await recordAudit(database.db, { ...audit, role: operator?.role ?? null, action: 'auth.login_failed', outcome: 'denied', after: { reason, failures: hits[0]!.count } });
    throw new AppError('unauthenticated', BAD_CREDENTIALS);
  }

  const session = await database.db.transaction(async (tx) => {
    const created = await createSession(tx, operator.id, client);
    await tx.update(operators).set({ lastLoginAt: sql`now()` }).where(eq(operators.id, operator.id));
    await recordAudit(tx, { ...audit, role: operator.role, action: 'auth.login' });
    return created;
  });
  await clearRateLimit(database, account.key);
  if (address) await undoRateLimitHit(database, address);
  await pruneRateLimits(database, 24 * 60 * 60);
  return { operator: { id: operator.id, email: operator.email, name: operator.name, role: operator.role }, session };
}
