import 'server-only';

/**
 * What a failed query says, under drizzle's "Failed query: <sql>" wrapper (an error with `query`
 * and the driver's error as its cause): the words an operator can act on, not the SQL.
 */
export function queryErrorMessage(error: unknown): string {
  const e = queryRootCause(error);
  return e instanceof Error ? e.message : String(e);
}

/** The driver's error under drizzle's wrapper (which has `query` and the driver's error as its cause). */
export function queryRootCause(error: unknown): unknown {
  let e = error;
  for (let depth = 0; depth < 5 && e instanceof Error && 'query' in e && e.cause; depth++) e = e.cause;
  return e;
}
