import 'server-only';

export const SESSION_COOKIE = 'kiln_session';

/**
 * The Set-Cookie value of a session: HttpOnly (scripts cannot read it), SameSite=Lax (not sent on
 * cross-site POSTs), Secure when the app is reached over HTTPS (a Secure cookie set over plain
 * http://localhost would be dropped by browsers).
 */
export function sessionCookie(secret: string, options: { secure: boolean; maxAgeSeconds: number }): string {
  return serialize(SESSION_COOKIE, secret, options.maxAgeSeconds, options.secure);
}

/** A Set-Cookie value that makes the browser forget the session cookie. */
export function clearedSessionCookie(options: { secure: boolean }): string {
  return serialize(SESSION_COOKIE, '', 0, options.secure);
}

function serialize(name: string, value: string, maxAgeSeconds: number, secure: boolean): string {
  const parts = [`${name}=${value}`, 'Path=/', `Max-Age=${maxAgeSeconds}`, 'HttpOnly', 'SameSite=Lax'];
  if (maxAgeSeconds === 0) parts.push('Expires=Thu, 01 Jan 1970 00:00:00 GMT');
  if (secure) parts.push('Secure');
  return parts.join('; ');
}

/** The value of one cookie in a Cookie header, or undefined. */
export function readCookie(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at < 0) continue;
    if (part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/** The session secret a request's cookie carries, if any. */
export function sessionSecret(request: Request): string | undefined {
  return readCookie(request.headers.get('cookie'), SESSION_COOKIE) || undefined;
}
