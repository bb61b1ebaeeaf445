import 'server-only';
import { AppError } from '../errors';

/** [from, to) from optional ISO query values: `to` defaults to now, `from` to `defaultMs` before it. */
export function timeRange(query: { from?: string; to?: string }, now: Date, defaultMs = 86_400_000): { from: Date; to: Date } {
  const to = query.to ? new Date(query.to) : now;
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - defaultMs);
  if (from >= to) throw new AppError('invalid_request', 'from: must be before to', { field: 'from' });
  return { from, to };
}
