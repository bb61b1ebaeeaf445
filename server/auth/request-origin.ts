import 'server-only';
import { AppError } from '../errors';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function isStateChanging(method: string): boolean {
  return STATE_CHANGING.has(method.toUpperCase());
}

/** The first value of a header that proxies may send as a comma-separated list. */
function firstHeaderValue(request: Request, name: string): string | undefined {
  const value = request.headers.get(name)?.split(',')[0]?.trim();
  return value ? value : undefined;
}

/** The host (with port) the client addressed: a proxy's x-forwarded-host, else Host, else the URL's. */
export function requestHost(request: Request): string {
  return (firstHeaderValue(request, 'x-forwarded-host') ?? firstHeaderValue(request, 'host') ?? new URL(request.url).host).toLowerCase();
}

/** Whether the client reached the app over HTTPS (directly, or at a TLS-terminating proxy). */
export function isHttpsRequest(request: Request): boolean {
  const forwarded = firstHeaderValue(request, 'x-forwarded-proto');
  if (forwarded) return forwarded.toLowerCase() === 'https';
  return new URL(request.url).protocol === 'https:';
}

export type OriginCheck = { ok: true } | { ok: false; reason: string };

/**
 * Whether a request comes from a page of the app itself: its Origin (or, without one, its Referer)
 * names the host the request was sent to. Browsers always send Origin on cross-origin POSTs and
 * a page cannot forge it, so a cookie-carrying request from another site fails here. A request
 * with neither header is refused too: no browser page sends such a state-changing request.
 */
export function checkSameOrigin(request: Request): OriginCheck {
  const origin = request.headers.get('origin');
  const referer = request.headers.get('referer');
  const source = origin ?? referer;
  if (!source) return { ok: false, reason: 'no Origin or Referer header' };
  let sourceHost: string;
  try {
    sourceHost = new URL(source).host.toLowerCase();
  } catch {
    return { ok: false, reason: `unparseable ${origin ? 'Origin' : 'Referer'} "${source.slice(0, 100)}"` };
  }
  const host = requestHost(request);
  if (sourceHost !== host) return { ok: false, reason: `${origin ? 'Origin' : 'Referer'} host ${sourceHost || '(none)'} is not ${host}` };
  return { ok: true };
}

/**
 * Sign-in needs no credential, so authorize() does not run; a sign-in posted by another site's
 * page (login CSRF: signing the victim into the attacker's account) is refused here instead.
 * Scripts that send no Origin may still sign in.
 */
export function assertLoginOrigin(request: Request): void {
  if (!request.headers.get('origin')) return;
  const check = checkSameOrigin(request);
  if (!check.ok) throw new AppError('forbidden', `Refused a sign-in from another origin (${check.reason})`);
}
