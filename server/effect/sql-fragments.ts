import 'server-only';
import { type SQL, sql } from 'drizzle-orm';

/** A text[] bind parameter: both drivers accept the literal, unlike a JS array in raw sql. */
export function textArray(values: readonly string[]): SQL {
  return sql`${`{${values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`}::text[]`;
}

/** A timestamptz column as JSON-ready ISO-8601 UTC text (the `toISOString()` form). */
export function isoText(column: string): SQL {
  return sql.raw(`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);
}
