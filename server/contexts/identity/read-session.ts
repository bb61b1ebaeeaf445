import 'server-only';
import type { ShopRead } from '../../reads/shop-read';
import { loadSessionsJson } from './load-sessions-json';
import { sessionKey } from './session-key';

/**
 * The shop's read of a signed-in user's session and cart: `User:session:{userId}`, warmed by the
 * sessions strategy. A user without a live session has none (null): not cached, so a session
 * created a moment later is found on the next read.
 */
export function sessionRead(userId: number): ShopRead {
  return {
    family: 'sessions',
    key: sessionKey(userId),
    load: async ({ database, now }) => (await loadSessionsJson(database, [userId], now))[0] ?? null,
  };
}
