/** The request header that carries a page's path and query from proxy.ts to the signed-in layout. */
export const PATH_HEADER = 'x-kiln-path';

/**
 * Where to go after signing in: the `next` parameter when it is a path of this site, else the
 * overview. Anything that could leave the site (`//evil.example`, `https://…`, `/\evil`) is refused.
 */
export function safeNextPath(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || next.startsWith('/login')) return '/';
  return next;
}

/** The sign-in page's address for someone who wanted `path`. */
export function signInPath(path: string | null | undefined): string {
  const next = safeNextPath(path);
  return next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`;
}
