import 'server-only';
import { CACHE_HEADER } from '@/lib/api/effect';
import { clientInfo } from '../auth/client-info';
import type { ReadResult } from '../contexts/shop-reads';
import { AppError } from '../errors';
import type { ClientRateLimiter } from './client-rate-limiter';

/**
 * Each client of the shop's read routes gets a bounded rate (429 with Retry-After beyond it). The
 * client is the trusted address (server/http/edge.ts), resolved by the authorize() call before.
 */
export function limitShopClient(limiter: ClientRateLimiter, request: Request): void {
  const decision = limiter.take(clientInfo(request).ip ?? 'unknown');
  if (!decision.allowed) {
    throw new AppError('rate_limited', `Too many shop requests from this address (at most ${limiter.perSecond} a second); retry in ${decision.retryAfterSeconds} s`, {
      details: { retryAfterSeconds: decision.retryAfterSeconds },
    });
  }
}

/** The cached JSON text as the body, as it is (no parse, no re-encode); 404 naming `field` for nothing there. */
export function shopResponse(result: ReadResult, notFound: { what: string; field: string }): Response {
  if (result.value === null) throw new AppError('not_found', `No ${notFound.what}`, { field: notFound.field });
  return new Response(result.value, {
    status: 200,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', [CACHE_HEADER]: result.hit ? 'hit' : 'miss' },
  });
}
