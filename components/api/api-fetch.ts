import { fieldMessage } from '@/lib/ui/labels';
import { signInPath } from '@/lib/ui/sign-in-path';

/** The one way the browser calls Kiln's API: JSON in and out, errors as ApiError. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The request field the error is about, when the server names one. */
    readonly field?: string,
    /** A 412's current row: what the edit would have overwritten, as it is now. */
    readonly current?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Body = Record<string, unknown> | unknown[];

export type ApiRequest = {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  body?: Body;
  query?: Record<string, string | number | undefined | null>;
  /** The version of the row the edit is based on: a row changed since is refused with 412 (isStaleEdit). */
  ifMatch?: number;
};

/** `/api/runs` + {strategy: 'x', from: undefined} -> `/api/runs?strategy=x`. */
export function apiUrl(path: string, query?: ApiRequest['query']): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/**
 * Calls the API and returns its JSON. Any answer but 2xx throws ApiError with the server's
 * message and field. A 401 means the session ended (or never was): the browser goes to the
 * sign-in page, which brings it back here afterwards.
 */
export async function apiFetch<T>(path: string, request: ApiRequest = {}): Promise<T> {
  let response: Response;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  if (request.ifMatch !== undefined) headers['if-match'] = `"${request.ifMatch}"`;
  try {
    response = await fetch(apiUrl(path, request.query), {
      method: request.method ?? 'GET',
      headers,
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'network', 'The server did not answer: check that Kiln is running and the network is up');
  }
  const data = await response.json().catch(() => null);
  if (response.ok) return data as T;
  const body = data as { error?: { code?: string; message?: string; field?: string }; current?: Record<string, unknown> } | null;
  const error = body?.error;
  if (response.status === 401 && path !== '/api/auth/login') goToSignIn();
  throw new ApiError(response.status, error?.code ?? 'http_error', error?.message ?? `The server answered ${response.status} ${response.statusText}`, error?.field, body?.current);
}

let signingOut = false;

/** The operator is signing out: the queries that fail with 401 meanwhile must not send them to sign in and back. */
export function markSigningOut(): void {
  signingOut = true;
}

export function goToSignIn(): void {
  if (typeof window === 'undefined' || window.location.pathname === '/login' || signingOut) return;
  window.location.assign(signInPath(`${window.location.pathname}${window.location.search}`));
}

/** An edit refused because the row changed since it was shown (412): `current` is the row now. */
export function isStaleEdit(error: unknown): error is ApiError & { current: Record<string, unknown> & { version: number } } {
  return error instanceof ApiError && error.status === 412 && typeof error.current?.version === 'number';
}

/** The message to show for a failed call, whatever was thrown (a field named by its label, not its API name). */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return fieldMessage(error.message, error.field, false);
  return error instanceof Error ? error.message : String(error);
}

/** The server's message when it is about `field`, for showing next to that field (under its label, so without the field's name). */
export function fieldError(error: unknown, field: string): string | undefined {
  return error instanceof ApiError && error.field !== undefined && (error.field === field || error.field.startsWith(`${field}.`))
    ? fieldMessage(error.message, error.field, true)
    : undefined;
}

/** A run refused because now is inside a schedule's blackout window (409 in_blackout): its words without the API hint. */
export function blackoutRefusal(error: unknown): string | null {
  if (!(error instanceof ApiError) || error.code !== 'in_blackout') return null;
  return error.message.replace(/\s*Send "confirmBlackout": true to run anyway\.?$/, '');
}
