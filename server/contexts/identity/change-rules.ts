import 'server-only';
import type { ChangeRule } from '../../freshness/change';
import { sessionKey } from './session-key';

/**
 * Which identity keys a change affects: a session (created, seen, its cart changed, expired,
 * deleted) or its user (renamed) → `User:session:{userId}`, re-warmed where cached (a user who
 * starts shopping is warmed by the next sessions run or their first read, not by the change). A
 * value that loads as nothing (no live session left) deletes the key.
 */
export const identityChangeRules: ChangeRule[] = [
  {
    name: 'identity.shop_sessions',
    table: 'shop_sessions',
    columns: ['user_id'],
    // A deleted session's row must name its user: REPLICA IDENTITY FULL (logical), or the trigger's OLD.
    needsOldRow: true,
    async affects(changes) {
      return changes.flatMap((change) => {
        const userId = change.row.user_id;
        return userId && /^\d+$/.test(userId) ? [{ key: sessionKey(Number(userId)), strategy: 'sessions', action: 'rewarm' as const, from: change }] : [];
      });
    },
  },
  {
    name: 'identity.shop_users',
    table: 'shop_users',
    columns: ['id'],
    async affects(changes) {
      return changes.flatMap((change) => {
        const userId = change.row.id;
        if (!userId || !/^\d+$/.test(userId)) return [];
        return [{ key: sessionKey(Number(userId)), strategy: 'sessions', action: change.op === 'delete' ? ('delete' as const) : ('rewarm' as const), from: change }];
      });
    },
  },
];
