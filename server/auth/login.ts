import 'server-only';
import { eq, sql } from 'drizzle-orm';
import type { LoginRequest, LoginResponse } from '@/lib/api/auth';
import type { RefusalLog } from '../audit/refusal-log';
import { recordAudit } from '../audit/record-audit';
import type { Database } from '../db/client';
import { operators } from '../db/schema';
import { AppError } from '../errors';
import type { ClientInfo } from './client-info';
import { verifyPassword } from './passwords';
import { type RateLimitHit, type RateLimitRule, clearRateLimit, peekRateLimit, takeRateLimit, undoRateLimitHit } from './rate-limit';
import { sha256 } from './secrets';
import { type NewSession, createSession } from './sessions';

const WINDOW_SECONDS = 15 * 60;

/**
 * Failed sign-ins allowed per 15-minute window:
 * - perPair: for one account from one address. Beyond it that address is refused (429) for that
 *   account only: nobody else's attempts can lock an operator out from their own address.
 * - perAddress: from one address over all accounts (spraying one password over many emails).
 * - accountSlowAfter: failures on one account from all addresses together, beyond which each
 *   attempt on it waits `slowDelayMs` before its password is checked. Slowed, never refused: the
 *   right password from an address that has not been failing still signs in.
 */
export const LOGIN_LIMITS = { perPair: 5, perAddress: 50, accountSlowAfter: 10, slowDelayMs: 1000, windowSeconds: WINDOW_SECONDS };

const BAD_CREDENTIALS = 'Email or password is incorrect';

export type LoginDeps = { database: Database; refusals: RefusalLog };

/**
 * Signs an operator in and starts a session. A slot in the per-pair and per-address counters is
 * taken before the password is checked (one conditional upsert each, so parallel guesses cannot
 * slip past a limit, and a refused attempt writes nothing); a successful attempt gives its slots
 * back. The answer to a wrong password, an unknown email and a disabled operator is the same, and
 * takes as long. Failed and refused attempts are anonymous: counted in the RefusalLog, not audited
 * one by one.
 */
export async function login(deps: LoginDeps, input: LoginRequest, client: ClientInfo): Promise<LoginResponse & { session: NewSession }> {
  const { database, refusals } = deps;
  const email = input.email.trim().toLowerCase();
  const account = sha256(email).slice(0, 32);
  const pair: RateLimitRule = { key: `login:pair:${account}:${client.ip ?? 'unknown'}`, limit: LOGIN_LIMITS.perPair, windowSeconds: WINDOW_SECONDS };
  // Without a known address every such client would share one counter (and lock each other out).
  const address: RateLimitRule | null = client.ip ? { key: `login:address:${client.ip}`, limit: LOGIN_LIMITS.perAddress, windowSeconds: WINDOW_SECONDS } : null;
  const accountFailures: RateLimitRule = { key: `login:account:${account}`, limit: 2_000_000_000, windowSeconds: WINDOW_SECONDS }; // counted, never refused

  const refuse = (hit: RateLimitHit, scope: 'pair' | 'address') => {
    refusals.note(client.ip, `login_throttled_${scope}`, email);
    return new AppError('rate_limited', `Too many failed sign-ins from this address; try again in ${Math.ceil(hit.retryAfterSeconds / 60)} min`, {
      details: { retryAfterSeconds: hit.retryAfterSeconds },
    });
  };

  // Reads first: a refused attempt writes nothing.
  const [pairNow, addressNow, accountNow] = await Promise.all([
    peekRateLimit(database, pair),
    address ? peekRateLimit(database, address) : null,
    peekRateLimit(database, accountFailures),
  ]);
  if (addressNow && !addressNow.allowed) throw refuse(addressNow, 'address');
  if (!pairNow.allowed) throw refuse(pairNow, 'pair');
  const addressHit = address ? await takeRateLimit(database, address) : null;
  if (addressHit && !addressHit.allowed) throw refuse(addressHit, 'address');
  const pairHit = await takeRateLimit(database, pair);
  if (!pairHit.allowed) {
    if (address) await undoRateLimitHit(database, address);
    throw refuse(pairHit, 'pair');
  }

  if (accountNow.count >= LOGIN_LIMITS.accountSlowAfter) await new Promise((resolve) => setTimeout(resolve, LOGIN_LIMITS.slowDelayMs));

  const [operator] = await database.db.select().from(operators).where(eq(operators.email, email)).limit(1);
  const passwordOk = await verifyPassword(operator?.passwordHash ?? null, input.password);
  if (!operator || !passwordOk || operator.disabledAt) {
    const reason = !operator ? 'unknown_email' : !passwordOk ? 'wrong_password' : 'disabled';
    await takeRateLimit(database, accountFailures);
    refusals.note(client.ip, `login_failed_${reason}`, email);
    throw new AppError('unauthenticated', BAD_CREDENTIALS);
  }

  const session = await database.db.transaction(async (tx) => {
    const created = await createSession(tx, operator.id, client);
    await tx.update(operators).set({ lastLoginAt: sql`now()` }).where(eq(operators.id, operator.id));
    await recordAudit(tx, { actor: email, target: email, role: operator.role, action: 'auth.login', ...client });
    return created;
  });
  // This attempt does not count; this address's earlier failures on this account are forgiven.
  await clearRateLimit(database, pair.key);
  if (address) await undoRateLimitHit(database, address);
  return {
    operator: { id: operator.id, email: operator.email, name: operator.name, role: operator.role, ...(operator.mustChangePassword ? { mustChangePassword: true } : {}) },
    session,
  };
}
