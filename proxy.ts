import { randomBytes, randomUUID } from 'node:crypto';
import { type NextRequest, NextResponse } from 'next/server';
import { getConfig } from './server/config';
import { resolveEdge } from './server/http/edge';
import { REQUEST_ID_HEADER } from './server/http/request-id';
import { NONCE_HEADER, contentSecurityPolicy, securityHeaders } from './server/http/security-headers';
import { PATH_HEADER } from './lib/ui/sign-in-path';

/**
 * Runs before every request (Next.js 16's middleware). It does three things and checks no access
 * (the layout checks the session, and every route handler checks its request):
 * - the security headers and a Content-Security-Policy with a fresh nonce on every answer; the
 *   nonce also goes on the request, where Next.js and the root layout put it on their scripts;
 * - a request id, made here for every request (one a client sent is replaced), on the request
 *   and the answer;
 * - the requested path for the signed-in layout, so a visitor sent to /login comes back to it.
 */
export function proxy(request: NextRequest) {
  const https = resolveEdge(request, getConfig().edge).origin.startsWith('https:');
  const nonce = randomBytes(16).toString('base64');
  const csp = contentSecurityPolicy(nonce, https);
  const id = randomUUID();

  const headers = new Headers(request.headers);
  headers.set('content-security-policy', csp);
  headers.set(NONCE_HEADER, nonce);
  headers.set(REQUEST_ID_HEADER, id);
  headers.set(PATH_HEADER, `${request.nextUrl.pathname}${request.nextUrl.search}`);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('content-security-policy', csp);
  response.headers.set(REQUEST_ID_HEADER, id);
  for (const [name, value] of Object.entries(securityHeaders(https))) response.headers.set(name, value);
  return response;
}

export const config = {
  // Everything: pages, API routes, static files and 404s all carry the headers.
  matcher: '/:path*',
};
