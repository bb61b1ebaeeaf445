import 'server-only';
import type { Logger } from '../logger';

/**
 * Writes a run's results, retrying while the database is unreachable, so a run's outcome is not
 * lost to a short outage. The first failure logs the whole payload, so the figures survive in the
 * log even if the database never comes back. After `giveUpAfterMs` it stops trying: the run's
 * heartbeat has stopped by then, so the abandoned-run sweep closes it once the database is back.
 */
export async function persistWithRetry(
  logger: Logger,
  what: string,
  payload: unknown,
  write: () => Promise<unknown>,
  options: { giveUpAfterMs?: number; firstDelayMs?: number; maxDelayMs?: number } = {},
): Promise<boolean> {
  const giveUpAt = Date.now() + (options.giveUpAfterMs ?? 10 * 60_000);
  let delay = options.firstDelayMs ?? 250;
  for (let attempt = 1; ; attempt++) {
    try {
      await write();
      if (attempt > 1) logger.info({ attempts: attempt }, `Saved ${what} after the database came back`);
      return true;
    } catch (error) {
      if (attempt === 1) logger.error({ err: error, payload }, `Saving ${what} failed; retrying until the database answers`);
      if (Date.now() + delay > giveUpAt) {
        logger.error({ err: error, attempts: attempt, payload }, `Gave up saving ${what}`);
        return false;
      }
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, options.maxDelayMs ?? 5000);
    }
  }
}
