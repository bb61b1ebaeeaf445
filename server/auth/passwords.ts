import 'server-only';
import { availableParallelism } from 'node:os';
import { hash, verify } from '@node-rs/argon2';
import { AppError } from '../errors';
import { randomSecret } from './secrets';

// argon2id (the library's default algorithm) at OWASP's baseline: 19 MiB, 2 passes, 1 lane.
// About 10 ms per verify on this machine's cores.
const OPTIONS = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

/**
 * At most this many hashes run at once per process (each takes 19 MiB and a core for ~10 ms),
 * and at most QUEUE_LIMIT more wait: a flood of sign-ins costs bounded memory and leaves cores
 * to everything else; beyond the queue the answer is 503 with Retry-After.
 */
export const HASH_CONCURRENCY = Math.max(1, Math.min(4, availableParallelism()));
export const HASH_QUEUE_LIMIT = 64;

let active = 0;
const waiting: (() => void)[] = [];

/** Hashes running and waiting in this process, for tests and metrics. */
export function hashLoad(): { active: number; waiting: number } {
  return { active, waiting: waiting.length };
}

async function bounded<T>(work: () => Promise<T>): Promise<T> {
  if (active >= HASH_CONCURRENCY) {
    if (waiting.length >= HASH_QUEUE_LIMIT) {
      throw new AppError('unavailable', `Too many password checks at once (${active} running, ${waiting.length} waiting); retry in a second`, {
        details: { retryAfterSeconds: 1 },
      });
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
  } else {
    active++;
  }
  try {
    return await work();
  } finally {
    // Hand the slot straight to the next waiter (active stays the same), or free it.
    const next = waiting.shift();
    if (next) next();
    else active--;
  }
}

export function hashPassword(password: string): Promise<string> {
  return bounded(() => hash(password, OPTIONS));
}

let dummyHash: Promise<string> | undefined;

/**
 * Checks a password against a stored hash. With no hash (no such operator) it still runs one
 * verification, against a throwaway hash, so that an unknown email takes as long as a wrong password.
 */
export async function verifyPassword(storedHash: string | null, password: string): Promise<boolean> {
  if (storedHash === null) {
    dummyHash ??= hashPassword(randomSecret());
    const throwaway = await dummyHash;
    await bounded(() => verify(throwaway, password).catch(() => false));
    return false;
  }
  return bounded(() => verify(storedHash, password).catch(() => false));
}
