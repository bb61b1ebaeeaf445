import 'server-only';
import { randomUUID } from 'node:crypto';
import { AppError } from '../errors';
import { processLogger } from '../logger';
import { requestId as requestIdOf } from './request-id';
import { withRequestId } from './request-context';
import { runResponseHooks } from './response-hooks';

/** Every API error has this one shape. */
export type ErrorBody = { error: { code: string; message: string; field?: string; requestId?: string }; current?: unknown };

export function json<T>(body: T, init: { status?: number; headers?: Record<string, string> } = {}): Response {
  return Response.json(body, { status: init.status ?? 200, headers: { 'cache-control': 'no-store', ...init.headers } });
}

/**
 * Turns a thrown error into the JSON error shape: an AppError keeps its code, status and field;
 * anything else is a 500 with a request id, its stack in the log and not in the answer.
 */
export function errorResponse(error: unknown, request?: Request): Response {
  if (error instanceof AppError) {
    const body: ErrorBody = { error: { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) } };
    const headers: Record<string, string> = {};
    // A 412 (stale If-Match) carries the row as it is now, and its ETag, so the client can show what changed.
    if (error.options.details?.current !== undefined) body.current = error.options.details.current;
    if (typeof error.options.details?.version === 'number') headers.etag = `"${error.options.details.version}"`;
    if (typeof error.options.details?.retryAfterSeconds === 'number') headers['retry-after'] = String(error.options.details.retryAfterSeconds);
    return json(body, { status: error.status, headers });
  }
  const requestId = request ? requestIdOf(request) : randomUUID();
  processLogger().error({ err: error, requestId }, 'Unhandled error in a route handler');
  return json<ErrorBody>({ error: { code: 'internal', message: 'Something went wrong on the server', requestId } }, { status: 500 });
}

/**
 * Wraps a route handler so that whatever it throws becomes the JSON error shape. Handlers stay the
 * four steps: authorize -> parse (server/http/request.ts) -> call one server function -> respond.
 * The handler runs with its request id in context, so every log line it causes carries it.
 */
export function route<Context = unknown>(
  handler: (request: Request, context: Context) => Promise<Response>,
): (request: Request, context: Context) => Promise<Response> {
  return (request, context) =>
    withRequestId(requestIdOf(request), async () => {
      let response: Response;
      try {
        response = await handler(request, context);
      } catch (error) {
        response = errorResponse(error, request);
      }
      await runResponseHooks(request, response.status).catch((error: unknown) =>
        processLogger().warn({ err: error }, 'A step after the answer failed (the answer stands)'),
      );
      return response;
    });
}
