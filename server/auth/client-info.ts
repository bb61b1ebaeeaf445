import 'server-only';
import { edgeOf } from '../http/edge';
import { requestId } from '../http/request-id';

/** Where a request came from, and its id (audit rows carry it: the same id as its log lines and a 500's body). */
export type ClientInfo = { ip: string | null; userAgent: string | null; requestId?: string | null };

/**
 * Where a request came from, for limits, sessions and the audit log: the trusted client address
 * (server/http/edge.ts: the connection's peer, or behind KILN_TRUSTED_PROXIES the right-most
 * untrusted X-Forwarded-For entry; never a header a client chose) and its user agent, bounded.
 * The edge must have been resolved for this request (authorize() does it).
 */
export function clientInfo(request: Request): ClientInfo {
  const userAgent = request.headers.get('user-agent');
  return { ip: edgeOf(request).ip, userAgent: userAgent ? userAgent.slice(0, 200) : null, requestId: requestId(request) };
}
