import { type NextRequest, NextResponse } from 'next/server';
import { PATH_HEADER } from './lib/ui/sign-in-path';

/**
 * Hands the requested path to the signed-in layout, which cannot read it otherwise, so that a
 * visitor sent to /login comes back to the page they asked for. Access itself is not checked
 * here: the layout checks the session, and every route handler checks its request.
 */
export function proxy(request: NextRequest) {
  const headers = new Headers(request.headers);
  headers.set(PATH_HEADER, `${request.nextUrl.pathname}${request.nextUrl.search}`);
  return NextResponse.next({ request: { headers } });
}

export const config = {
  matcher: ['/((?!api/|_next/|favicon.ico|icon.svg|login).*)'],
};
