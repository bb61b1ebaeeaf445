import 'server-only';
import { type SQL, sql } from 'drizzle-orm';

/**
 * A JS moment as a timestamptz parameter. Dates go over the wire as ISO text: postgres.js under
 * drizzle's raw sql breaks on Date parameters.
 */
export function timestamptz(date: Date): SQL {
  return sql`${date.toISOString()}::timestamptz`;
}

/**
 * Ids as ONE int[] parameter (`= any(...)`), whatever their number: drizzle would expand a JS array
 * into one parameter per element.
 */
export function intArray(ids: readonly number[]): SQL {
  for (const id of ids) {
    if (!Number.isInteger(id)) throw new Error(`Expected integer ids, got ${String(id)}`);
  }
  return sql`${`{${ids.join(',')}}`}::int[]`;
}

/**
 * A timestamptz as JSON-ready text in the exact form of JS `toISOString()` (UTC, milliseconds, `Z`),
 * so values do not depend on the session's time zone and compare equal to what Node produces.
 */
export function isoTimestamp(column: SQL): SQL {
  return sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}
