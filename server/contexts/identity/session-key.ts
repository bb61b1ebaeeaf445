import 'server-only';
import { parseKeyId } from '../key-id';

/** The shop's key for a user's session (the contract: `User:session:{userId}`). */
const PREFIX = 'User:session:';

export function sessionKey(userId: number): string {
  return `${PREFIX}${userId}`;
}

/** The user id of a `User:session:{userId}` key; throws MalformedKeyError for anything else. */
export function parseSessionKey(key: string): number {
  return parseKeyId(key, PREFIX);
}
