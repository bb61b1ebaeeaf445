import 'server-only';
import { queryRootCause as rootCause } from '../db/query-error';

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
]);

/** True when the source could not be reached at all, as opposed to one key's data being bad. */
export function isConnectionError(error: unknown): boolean {
  const e = rootCause(error) as { code?: unknown; errno?: unknown } | undefined;
  return typeof e?.code === 'string' && CONNECTION_CODES.has(e.code);
}

/** What to record for a failed key: short, and saying plainly when the source was unreachable. */
export function describeLoadError(error: unknown): string {
  const e = rootCause(error);
  const text = e instanceof Error ? e.message : String(e);
  return isConnectionError(error) ? `the data source is unreachable (${text})` : text;
}
