import 'server-only';
import { AppError } from '../errors';

/** Event streams one session (or token) may hold open at once in a process. */
export const MAX_STREAMS_PER_SESSION = 6;

const open = ((globalThis as { __kilnStreams?: Map<string, number> }).__kilnStreams ??= new Map());

/**
 * Takes one of the session's stream slots, or refuses with 429: each open stream holds a timer,
 * a polling loop and a connection, so one session cannot open them without bound. Returns the
 * release, to call once when the stream ends.
 */
export function takeStreamSlot(session: string): () => void {
  const count = open.get(session) ?? 0;
  if (count >= MAX_STREAMS_PER_SESSION) {
    throw new AppError('rate_limited', `At most ${MAX_STREAMS_PER_SESSION} event streams may be open per session; close one first`, { details: { retryAfterSeconds: 5 } });
  }
  open.set(session, count + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (open.get(session) ?? 1) - 1;
    if (left <= 0) open.delete(session);
    else open.set(session, left);
  };
}
