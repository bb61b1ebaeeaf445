import 'server-only';
import { randomSecret } from '../secrets';

const TOKEN_PREFIX = 'kiln_';
const TOKEN_SHAPE = /^kiln_[A-Za-z0-9_-]{43}$/;
/** How much of a token is kept in clear to tell tokens apart: the marker and 7 random characters. */
const SHOWN_CHARACTERS = 12;

/** A new API token: `kiln_` (so secret scanners can spot leaked ones) and 256 random bits. */
export function newTokenSecret(): { secret: string; prefix: string } {
  const secret = TOKEN_PREFIX + randomSecret(32);
  return { secret, prefix: secret.slice(0, SHOWN_CHARACTERS) };
}

/** Whether a string has the shape of a Kiln token (checked before any database lookup). */
export function looksLikeToken(value: string): boolean {
  return TOKEN_SHAPE.test(value);
}
