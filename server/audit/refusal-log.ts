import 'server-only';
import type { Database } from '../db/client';
import type { Logger } from '../logger';
import { recordAudit } from './record-audit';

/** Addresses kept apart per minute; the rest share one entry (an address flood stays one row). */
const MAX_ADDRESSES = 1000;
/** Distinct examples (paths, emails) kept per address and minute, each cut to SAMPLE_CHARS. */
const MAX_SAMPLES = 5;
const SAMPLE_CHARS = 100;

type Tally = { count: number; reasons: Record<string, number>; samples: string[] };

/**
 * Requests refused before they had a valid credential (none, an unknown, revoked or expired one,
 * a failed or throttled sign-in) are anonymous: writing a row for each would let anyone grow the
 * database and bury real events. They are counted here instead (the `kiln_refused_requests_total`
 * metric at once, a debug log line), and once a minute each address that was refused gets ONE
 * audit row, `access.refused`, saying how many, why, and a few bounded examples of what was asked.
 * Per process: behind N replicas an address gets at most N rows a minute.
 */
export class RefusalLog {
  #tallies = new Map<string, Tally>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();

  constructor(private readonly deps: { database: Database; logger: Logger; count: (reason: string) => void }) {}

  /** Counts one refusal of `ip` for `reason` (a short code), with what it asked for. */
  note(ip: string | null, reason: string, sample?: string): void {
    this.deps.count(reason);
    this.deps.logger.debug({ ip, reason }, 'Refused a request without a valid credential');
    const key = ip ?? '';
    let tally = this.#tallies.get(key);
    if (!tally) {
      const overflow = this.#tallies.size >= MAX_ADDRESSES;
      const slot = overflow ? '*' : key;
      tally = this.#tallies.get(slot);
      if (!tally) this.#tallies.set(slot, (tally = { count: 0, reasons: {}, samples: [] }));
    }
    tally.count++;
    tally.reasons[reason] = (tally.reasons[reason] ?? 0) + 1;
    if (sample !== undefined && tally.samples.length < MAX_SAMPLES) {
      const cut = sample.slice(0, SAMPLE_CHARS);
      if (!tally.samples.includes(cut)) tally.samples.push(cut);
    }
  }

  /** Refusals counted and not yet written, by address ('' for unknown, '*' for the overflow). */
  pending(): Map<string, Readonly<Tally>> {
    return new Map(this.#tallies);
  }

  /** Writes one `access.refused` row per address counted since the last flush. */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#write());
    return this.#flushing;
  }

  start(intervalMs = 60_000): void {
    this.#timer ??= setInterval(() => void this.flush(), intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.flush();
  }

  async #write(): Promise<void> {
    if (this.#tallies.size === 0) return;
    const tallies = this.#tallies;
    this.#tallies = new Map();
    try {
      await this.deps.database.db.transaction(async (tx) => {
        for (const [ip, tally] of tallies) {
          await recordAudit(tx, {
            actor: 'anonymous',
            action: 'access.refused',
            outcome: 'denied',
            target: ip === '*' ? 'other addresses' : null,
            ip: ip === '' || ip === '*' ? null : ip,
            after: { count: tally.count, reasons: tally.reasons, samples: tally.samples },
          });
        }
      });
    } catch (error) {
      this.deps.logger.warn({ err: error, addresses: tallies.size }, 'Could not write the refused-request summary; it is dropped');
    }
  }
}
