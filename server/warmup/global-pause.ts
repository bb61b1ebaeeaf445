import { eq } from 'drizzle-orm';
import type { Database } from '../db/client';
import { settings } from '../db/schema';

/**
 * The global pause (the settings row) as a process reads it: at most once a second however many
 * callers ask, the last value standing while the database cannot be asked. `refresh()` makes the
 * next read go to the database (work was queued: the pause may have been lifted meanwhile).
 */
export class GlobalPause {
  #value = false;
  #readAt = 0;

  constructor(private readonly database: Database) {}

  async isPaused(): Promise<boolean> {
    if (Date.now() - this.#readAt > 1000) {
      try {
        const [row] = await this.database.db.select({ paused: settings.paused }).from(settings).where(eq(settings.id, 1));
        this.#value = row?.paused ?? false;
      } catch {
        // keep the last value
      }
      this.#readAt = Date.now();
    }
    return this.#value;
  }

  refresh(): void {
    this.#readAt = 0;
  }
}
