import 'server-only';
import { sql } from 'drizzle-orm';
import type { Logger } from '../logger';
import type { Database } from './client';
import { queryErrorMessage } from './query-error';

/**
 * Where strategies load the shop's data from: the shop's primary (SHOP_DATABASE_URL, by default
 * Kiln's own database), or a read replica of it (DATABASE_READ_URL) while the replica keeps up.
 *
 * The lag guard measures replay lag in bytes of WAL: the primary's pg_current_wal_lsn() against the
 * replica's pg_last_wal_replay_lsn(). (A timestamp lag, now() - pg_last_xact_replay_timestamp(),
 * grows on an idle primary that has nothing to replay, so it is not used.) A replica further behind
 * than `maxLagBytes`, or one that does not answer, is passed over: the primary serves, and the run
 * says why (a warning on the run).
 */

export type ReplicaStatus =
  /** No DATABASE_READ_URL: loads go to the primary. */
  | { state: 'none' }
  /** Not measured yet. */
  | { state: 'unknown' }
  | { state: 'ok' | 'lagging'; lagBytes: number; checkedAt: Date }
  | { state: 'unreachable'; error: string; checkedAt: Date };

export type ShopChoice = {
  database: Database;
  from: 'primary' | 'replica';
  /** Why the replica was passed over (a run records it as a warning). */
  warning?: { code: 'replica_lagging' | 'replica_unreachable'; message: string };
  status: ReplicaStatus;
};

/** Default bound on replay lag: 16 MiB of WAL (one WAL segment). */
export const DEFAULT_MAX_LAG_BYTES = 16 * 1024 * 1024;

export type ShopSourceOptions = {
  primary: Database;
  replica: Database | null;
  maxLagBytes: number;
  /** A measurement younger than this is reused (shards starting together ask once). */
  checkIntervalMs: number;
  /** How long one measurement may take before the replica counts as unreachable. */
  probeTimeoutMs?: number;
  logger?: Logger;
};

export class ShopSource {
  readonly primary: Database;
  readonly replica: Database | null;
  readonly maxLagBytes: number;
  readonly checkIntervalMs: number;
  readonly #probeTimeoutMs: number;
  readonly #logger?: Logger;
  #status: ReplicaStatus;
  #checking: Promise<ReplicaStatus> | null = null;
  #checkedAtMs = 0;

  constructor(options: ShopSourceOptions) {
    this.primary = options.primary;
    this.replica = options.replica;
    this.maxLagBytes = options.maxLagBytes;
    this.checkIntervalMs = options.checkIntervalMs;
    this.#probeTimeoutMs = options.probeTimeoutMs ?? 2000;
    this.#logger = options.logger;
    this.#status = options.replica ? { state: 'unknown' } : { state: 'none' };
  }

  /** The last measurement, without measuring (readiness, metrics, the status page). */
  status(): ReplicaStatus {
    return this.#status;
  }

  /** Measures now (or joins a measurement under way). */
  async check(): Promise<ReplicaStatus> {
    if (!this.replica) return this.#status;
    this.#checking ??= this.#measure().then(
      (status) => {
        const before = this.#status.state;
        this.#status = status;
        this.#checkedAtMs = performance.now();
        if (before !== status.state && before !== 'unknown') this.#logger?.warn({ replica: status }, `Read replica: ${before} -> ${status.state}`);
        return status;
      },
    ).finally(() => {
      this.#checking = null;
    });
    return this.#checking;
  }

  /** Where to load from now: measures again when the last measurement is older than the interval. */
  async choose(): Promise<ShopChoice> {
    if (!this.replica) return { database: this.primary, from: 'primary', status: this.#status };
    const status = this.#status.state === 'unknown' || performance.now() - this.#checkedAtMs >= this.checkIntervalMs ? await this.check() : this.#status;
    if (status.state === 'ok') return { database: this.replica, from: 'replica', status };
    if (status.state === 'lagging') {
      return {
        database: this.primary,
        from: 'primary',
        status,
        warning: { code: 'replica_lagging', message: `The read replica was ${formatBytes(status.lagBytes)} of WAL behind the primary (bound ${formatBytes(this.maxLagBytes)}): loaded from the primary` },
      };
    }
    const error = status.state === 'unreachable' ? status.error : 'its lag could not be measured';
    return { database: this.primary, from: 'primary', status, warning: { code: 'replica_unreachable', message: `The read replica did not answer (${error}): loaded from the primary` } };
  }

  async #measure(): Promise<ReplicaStatus> {
    const replica = this.replica!;
    const checkedAt = new Date();
    let replayed: bigint | null;
    try {
      const [row] = await withTimeout(
        replica.rows<{ replayed: string | null; recovery: boolean }>(sql`select pg_last_wal_replay_lsn()::text as replayed, pg_is_in_recovery() as recovery`),
        this.#probeTimeoutMs,
      );
      if (!row?.recovery || !row.replayed) return { state: 'unreachable', error: 'it is not a standby in recovery: its lag cannot be measured', checkedAt };
      replayed = parseLsn(row.replayed);
    } catch (error) {
      return { state: 'unreachable', error: shortError(error), checkedAt };
    }
    // The primary after the replica: a write in between only makes the lag look larger.
    let current: bigint;
    try {
      const [primaryRow] = await withTimeout(this.primary.rows<{ current: string }>(sql`select pg_current_wal_lsn()::text as current`), this.#probeTimeoutMs);
      current = parseLsn(primaryRow!.current);
    } catch (error) {
      // The primary is the run's own problem (its loads fail there too); the replica is not judged on it.
      this.#logger?.warn({ err: error }, 'Read replica lag: the primary did not say its WAL position');
      return this.#status;
    }
    const lag = current - replayed;
    const lagBytes = Number(lag > 0n ? lag : 0n);
    return { state: lagBytes > this.maxLagBytes ? 'lagging' : 'ok', lagBytes, checkedAt };
  }
}

/** The WAL position the replica has replayed, as the freshness guard counts positions (bytes, decimal). */
export async function readReplayPosition(replica: Database): Promise<string> {
  const [row] = await replica.rows<{ position: string | null }>(sql`select (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::text as position`);
  if (!row?.position) throw new Error('the read replica is not replaying WAL');
  return row.position.split('.')[0]!;
}

/** `16/B374D848` -> its position in bytes. */
export function parseLsn(lsn: string): bigint {
  const [high, low] = lsn.split('/');
  if (high === undefined || low === undefined) throw new Error(`not an LSN: ${lsn}`);
  return (BigInt(`0x${high}`) << 32n) + BigInt(`0x${low}`);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return `${(bytes / 1024 / 1024 / 1024).toFixed(1)} GiB`;
}

/** The driver's own message, under drizzle's "Failed query: <sql>" wrapper. */
function shortError(error: unknown): string {
  return queryErrorMessage(error).slice(0, 200);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * A Database that forwards to whichever the shard loads from now: the strategy context keeps one
 * object while the lag guard moves a shard between the replica and the primary between batches.
 */
export function switchableDatabase(initial: Database): { database: Database; set(target: Database): void; current(): Database } {
  let target = initial;
  const database: Database = {
    get kind() {
      return target.kind;
    },
    get db() {
      return target.db;
    },
    get sql() {
      return target.sql;
    },
    get url() {
      return target.url;
    },
    get locks() {
      return target.locks;
    },
    get pglite() {
      return target.pglite;
    },
    rows: (query) => target.rows(query),
    describe: () => target.describe(),
    health: () => target.health(),
    close: async () => {}, // not the shard's to close
  };
  return { database, set: (next) => (target = next), current: () => target };
}
