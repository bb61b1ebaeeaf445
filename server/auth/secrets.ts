import 'server-only';
import { createHash, randomBytes } from 'node:crypto';

/** A random secret of `bytes` bytes, base64url (32 bytes: 43 characters, 256 bits). */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * SHA-256 in hex. Enough for session and token secrets: they are 256 random bits, so unlike
 * passwords they cannot be guessed from a stolen hash and need no slow hash.
 */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
