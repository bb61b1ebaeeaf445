import 'server-only';
import { AsyncLocalStorage } from 'node:async_hooks';

// On globalThis: Next.js loads instrumentation (which builds the logger) and route handlers as
// separate module graphs; both must see the one store.
const holder = globalThis as { __kilnRequestContext?: AsyncLocalStorage<{ requestId: string }> };
const store = (holder.__kilnRequestContext ??= new AsyncLocalStorage<{ requestId: string }>());

/** Runs a route handler with its request's id in context: every log line written meanwhile carries it. */
export function withRequestId<T>(requestId: string, work: () => T): T {
  return store.run({ requestId }, work);
}

/** The id of the request being handled, if any (pino's mixin adds it to each log line). */
export function currentRequestId(): string | undefined {
  return store.getStore()?.requestId;
}

/** pino `mixin`: `{ requestId }` on every line written while a request is handled. */
export function requestLogFields(): { requestId?: string } {
  const requestId = currentRequestId();
  return requestId ? { requestId } : {};
}

/** Runs `work` outside any request's context (long-lived work started while a request is handled). */
export function outsideRequest<T>(work: () => T): T {
  return store.exit(work);
}
