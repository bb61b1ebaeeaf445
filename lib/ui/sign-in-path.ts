/** The request header that carries a page's path and query from proxy.ts to the signed-in layout. */
export const PATH_HEADER = 'x-kiln-path';

const BASE = 'http://kiln.invalid';

/**
 * Where to go after signing in: the `next` parameter when it is a path of this site as a browser
 * would read it, else the overview. The check is the browser's own parser (WHATWG URL): it drops
 * tabs and newlines, reads `\` as `/` and resolves `.` and `..`, so `/%09/evil.example`,
 * `/\evil.example`, `/.//evil.example` or `https:evil.example` are seen for what they are. What comes
 * back is the parsed path (never a scheme or a host), and never one starting with `//` or `/\`,
 * which a browser would take for another host. The same function runs on the server (the redirect
 * of a signed-in visitor) and in the browser (after the sign-in form).
 */
export function safeNextPath(next: string | null | undefined): string {
  if (!next || next.length > 2000 || !next.startsWith('/')) return '/';
  let url: URL;
  try {
    url = new URL(next, BASE);
  } catch {
    return '/';
  }
  if (url.origin !== BASE) return '/';
  const path = `${url.pathname}${url.search}${url.hash}`;
  if (path.startsWith('//') || path.startsWith('/\\') || url.pathname === '/login' || url.pathname.startsWith('/login/')) return '/';
  return path;
}

/** The sign-in page's address for someone who wanted `path`. */
export function signInPath(path: string | null | undefined): string {
  const next = safeNextPath(path);
  return next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`;
}

/** The page where an operator chooses a new password (required after a generated one). */
export const PASSWORD_PAGE = '/account/password';

/** That page's address, coming back to `path` afterwards. */
export function passwordChangePath(path: string | null | undefined): string {
  const next = safeNextPath(path);
  return next === '/' ? PASSWORD_PAGE : `${PASSWORD_PAGE}?next=${encodeURIComponent(next)}`;
}
