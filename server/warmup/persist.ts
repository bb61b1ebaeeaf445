import 'server-only';
import type { Logger } from '../logger';

/**
 * Writes a run's results, retrying while the database is unreachable, so a run's outcome is not
 * lost to an outage. The moment a write fails, or is still waiting for the database after
 * `logAfterMs` (a connection to a database that went away can hang rather than fail), the whole
 * payload goes to the log once, so the figures survive there even if the database never comes
 * back. One attempt at a time: a slow attempt is waited for, never doubled. After `giveUpAfterMs`
 * it stops trying; the result is then only in the log (and the shard's job is retried elsewhere).
 */
export async function persistWithRetry(
  logger: Logger,
  what: string,
  payload: unknown,
  write: () => Promise<unknown>,
  options: { giveUpAfterMs?: number; firstDelayMs?: number; maxDelayMs?: number; logAfterMs?: number } = {},
): Promise<boolean> {
  const giveUpAt = Date.now() + (options.giveUpAfterMs ?? 10 * 60_000);
  let delay = options.firstDelayMs ?? 250;
  let logged = false;
  const logPayload = (error: unknown, how: string) => {
    if (logged) return;
    logged = true;
    logger.error({ err: error, payload }, `Saving ${what} ${how}; retrying until the database answers`);
  };
  for (let attempt = 1; ; attempt++) {
    const slow = setTimeout(() => logPayload(undefined, 'is waiting for the database'), options.logAfterMs ?? 3000);
    try {
      await write();
      if (logged) logger.info({ attempts: attempt }, `Saved ${what} after the database came back`);
      return true;
    } catch (error) {
      logPayload(error, 'failed');
      if (Date.now() + delay > giveUpAt) {
        logger.error({ err: error, attempts: attempt, payload }, `Gave up saving ${what}`);
        return false;
      }
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, options.maxDelayMs ?? 5000);
    } finally {
      clearTimeout(slow);
    }
  }
}
