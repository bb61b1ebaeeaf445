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
  | 'rate_limited'
  | 'unavailable';

const STATUS: Record<ErrorCode, number> = {
  invalid_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  unavailable: 503,
};

export class AppError extends Error {
  readonly status: number;
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
