import 'server-only';
import { AppError } from '../errors';

/**
 * Optimistic concurrency for edits. Every editable row has a `version` that each change bumps; GET
 * answers it as `ETag: "<version>"` (and as a `version` field). An edit may send it back as
 * `If-Match`: when the row has changed since, the edit is refused with 412 and the current row, and
 * nothing is written. Without If-Match each field sent is applied as it is (last writer wins, field
 * by field: fields not sent are never written back).
 */
export function etag(version: number): string {
  return `"${version}"`;
}

/** The version an edit's If-Match names; undefined when there is none (or `*`); 400 for anything else. */
export function ifMatchVersion(request: Request): number | undefined {
  const header = request.headers.get('if-match');
  if (header === null || header.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(header);
  if (!match) throw new AppError('invalid_request', `If-Match must be the ETag a GET answered, such as "3" (got ${JSON.stringify(header.slice(0, 40))})`, { field: 'If-Match' });
  return Number(match[1]);
}

/**
 * The 412 for an edit based on a stale view: what it is about, the version sent and the current
 * one, and the current row (in the body as `current`) so the client can show what changed.
 */
export function staleVersion(what: string, sent: number, current: { version: number }, view: unknown = current): AppError {
  return new AppError('precondition_failed', `${what} has changed since you loaded it (your version ${sent}, now ${current.version}): review the current values and apply your change again`, {
    field: 'If-Match',
    details: { current: view, version: current.version },
  });
}
