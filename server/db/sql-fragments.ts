import 'server-only';
import { type SQL, sql } from 'drizzle-orm';

/**
 * The SQL fragments every query of Kiln's shares, written once: parameters both drivers (postgres.js
 * and PGlite) accept the same way under drizzle's raw sql, and the one text form of a timestamp.
 */

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

/** Strings as ONE text[] parameter: each element quoted and escaped, so commas and quotes survive. */
export function textArray(values: readonly string[]): SQL {
  return sql`${`{${values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`}::text[]`;
}

/**
 * A timestamptz as JSON-ready text in the exact form of JS `toISOString()` (UTC, milliseconds, `Z`),
 * so values do not depend on the session's time zone and compare equal to what Node produces.
 * Takes a column (`sql.raw` name or a drizzle column) or any timestamptz expression.
 */
export function isoTimestamp(column: SQL | string | { name: string }): SQL {
  const expression = typeof column === 'string' ? sql.raw(column) : column;
  return sql`to_char(${expression} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/**
 * lib/success-rate.ts's rule in SQL: warmed / (warmed + failed), null when both are 0 (nothing
 * to warm). Pass column expressions or sums: `successRateSql(sql`sum(warmed)`, sql`sum(failed)`)`.
 */
export function successRateSql(warmed: SQL | string, failed: SQL | string): SQL {
  const w = typeof warmed === 'string' ? sql.raw(warmed) : warmed;
  const f = typeof failed === 'string' ? sql.raw(failed) : failed;
  return sql`(case when (${w}) + (${f}) > 0 then (${w})::float8 / ((${w}) + (${f})) end)`;
}
