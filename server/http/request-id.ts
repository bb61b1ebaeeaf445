import 'server-only';
import { randomUUID } from 'node:crypto';

/** The header proxy.ts sets on every request (overwriting any a client sent) and on its answer. */
export const REQUEST_ID_HEADER = 'x-request-id';

const ids = new WeakMap<Request, string>();

/**
 * The request's id, shared by its log lines, its audit rows and a 500's body: the one proxy.ts
 * made when the request arrived, or (a request that did not pass through it, as in tests) one
 * made now and kept for the request.
 */
export function requestId(request: Request): string {
  let id = ids.get(request);
  if (!id) {
    const header = request.headers.get(REQUEST_ID_HEADER);
    id = header && /^[A-Za-z0-9-]{8,64}$/.test(header) ? header : randomUUID();
    ids.set(request, id);
  }
  return id;
}
