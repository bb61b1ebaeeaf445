import 'server-only';
import type { Actor } from '@/lib/api/auth';
import type { Database } from '../db/client';
import { AppError } from '../errors';
import { onResponse } from '../http/response-hooks';
import { peekRateLimit, takeRateLimit } from './rate-limit';

const WINDOW_SECONDS = 60;

/**
 * The per-actor limit on changes (run triggers, cancels, edits): at most `perMinute` a minute for
 * each operator and each token, counted in Postgres so every replica shares it. A request is
 * refused with 429 up front only when the minute is already used up, and counted once it has been
 * answered with a success: a refusal (a 409 for a busy strategy, a 400 for bad input) changed
 * nothing and is not counted, so fifty simultaneous triggers still give one 202 and forty-nine 409s.
 */
export async function limitMutations(database: Database, request: Request, actor: Actor, perMinute: number): Promise<void> {
  const rule = { key: `mutations:${actor.kind}:${actor.id}`, limit: perMinute, windowSeconds: WINDOW_SECONDS };
  const now = await peekRateLimit(database, rule);
  if (!now.allowed) {
    throw new AppError('rate_limited', `Too many changes: at most ${perMinute} a minute for ${actor.label}; retry in ${now.retryAfterSeconds} s`, {
      details: { retryAfterSeconds: now.retryAfterSeconds },
    });
  }
  onResponse(request, async (status) => {
    if (status >= 400) return;
    await takeRateLimit(database, rule);
  });
}
