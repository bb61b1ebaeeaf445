import 'server-only';
import { z } from 'zod';
import type { WarmupStrategy } from '../../warmup/strategy';
import { chunk } from '../chunk';
import { loadActiveSessionUserIds } from './load-active-session-user-ids';
import { loadSessionsJson } from './load-sessions-json';
import { parseSessionKey, sessionKey } from './session-key';

const optionsSchema = z.strictObject({
  /** How recently a user must have been active to be warmed. */
  activeWithinMinutes: z.number().int().min(1).max(1440).default(60),
});
export type SessionsOptions = z.output<typeof optionsSchema>;

/**
 * The sessions of the users who are shopping now: `User:session:{userId}` for users active in the
 * last hour who hold a live session. Their key list is one query: a few percent of the users.
 */
export const sessionsStrategy: WarmupStrategy<SessionsOptions> = {
  name: 'sessions',
  context: 'identity',
  tags: ['identity', 'sessions'],
  description: 'The live sessions (user, session and cart) of the users active in the last hour.',
  defaultPriority: 20,
  defaultTtlSeconds: 900,
  defaultEnabled: true,
  optionsSchema,

  async *keys(ctx) {
    const userIds = await loadActiveSessionUserIds(ctx.database, {
      now: ctx.now,
      activeWithinMinutes: ctx.options.activeWithinMinutes,
    });
    yield* chunk(userIds.map(sessionKey), ctx.batchSize);
  },

  /** A user whose session expired since the keys were listed has no data: null, the key is skipped. */
  async load(key, ctx) {
    const [json] = await loadSessionsJson(ctx.database, [parseSessionKey(key)], ctx.now);
    return json ?? null;
  },

  loadMany: async (keys, ctx) => loadSessionsJson(ctx.database, keys.map(parseSessionKey), ctx.now),
};
