import 'server-only';

/**
 * The one error type for expected failures: a code that maps to an HTTP status, a message for
 * people, and the request field it is about. Anything else that reaches a route is a 500.
 */
export type ErrorCode =
  | 'invalid_request'
  | 'unsupported_media_type'
  | 'payload_too_large'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'precondition_failed'
  | 'rate_limited'
  | 'unavailable';

const STATUS: Record<ErrorCode, number> = {
  invalid_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition_failed: 412,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  unavailable: 503,
};

/**
 * Next.js loads instrumentation (which builds the runtime) and each route handler as separate
 * module graphs, each with its own copy of this class: an AppError thrown by the warmer is not an
 * `instanceof` the route's AppError. A brand in the global symbol registry is the same in every
 * graph, so `instanceof AppError` checks it instead.
 */
const BRAND = Symbol.for('kiln.AppError');

export class AppError extends Error {
  readonly [BRAND] = true;
  readonly status: number;

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== AppError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  constructor(
    readonly code: ErrorCode | (string & {}),
    message: string,
    readonly options: { field?: string; status?: number; details?: Record<string, unknown> } = {},
  ) {
    super(message);
    this.name = this.constructor.name;
    this.status = options.status ?? STATUS[code as ErrorCode] ?? 400;
  }

  get field(): string | undefined {
    return this.options.field;
  }
}

/** The most of a bad value an error message shows: enough to recognize it, never a whole payload. */
export const QUOTE_LIMIT = 100;

/**
 * A value as an error message quotes it: JSON-quoted, cut to QUOTE_LIMIT characters (with …), and
 * never a deep structure stringified whole (objects and arrays show their kind and size).
 */
export function quote(value: unknown): string {
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value !== null && typeof value === 'object') return 'an object';
  if (typeof value !== 'string') return clip(String(value));
  return JSON.stringify(clip(value));
}

/** Text cut to QUOTE_LIMIT characters (with …), for names and lists an error message shows as they are. */
export function clip(text: string): string {
  return text.length > QUOTE_LIMIT ? `${text.slice(0, QUOTE_LIMIT)}…` : text;
}
