import 'server-only';
import type { Database } from '../db/client';

/**
 * A change to one shop row, as the change stream delivers it (logical replication or the trigger
 * fallback): the policy (the bounded contexts' change rules) reads it, the mechanism does the rest.
 */
export type RowChange = {
  /** The table's name without its schema: `products`. */
  table: string;
  op: 'insert' | 'update' | 'delete';
  /**
   * Column values as text, as Postgres prints them (null: SQL NULL). After the change for an
   * insert or update; the old row's key (its primary key, or every column with REPLICA IDENTITY
   * FULL) for a delete. A column the stream did not carry is absent.
   */
  row: Record<string, string | null>;
  /** Where the change is in the stream: its commit's WAL position (logical) or its change row id (triggers). */
  position: bigint;
  /** When its transaction committed (logical), or when the row was recorded (triggers). */
  committedAt: Date;
};

/** A cache key a change affects, for one strategy that warms that key. */
export type AffectedKey = {
  key: string;
  strategy: string;
  /** `rewarm`: load it again (a null value then deletes it); `delete`: the row is gone or no longer qualifies. */
  action: 'rewarm' | 'delete';
  /**
   * The key belongs to the strategy's warm set whether cached or not (every active product for
   * product_catalog, every level-1 and -2 category): written even when missing. Otherwise a key is
   * re-warmed only where it is cached, so a change never pulls a cold key into the cache.
   */
  inWarmSet?: boolean;
  /** The change that affects it (its commit time starts the delay). */
  from: RowChange;
};

export type RuleContext = {
  database: Database;
  /** Values now in the cache (null: missing), e.g. to find the lists that hold a product. */
  cachedValues(keys: readonly string[]): Promise<(string | null)[]>;
};

/**
 * A bounded context's declaration of which of its keys a change to one of its shop tables affects.
 * Registered per context beside its strategies (server/contexts/<context>/change-rules.ts).
 */
export interface ChangeRule {
  /** A short name for logs: `catalog.products`. */
  readonly name: string;
  /** The shop table it watches. */
  readonly table: string;
  /** The columns it reads from a changed row (the trigger fallback records only these). */
  readonly columns: readonly string[];
  /**
   * It needs more than the primary key of a deleted row (a session's user): with logical
   * replication, Kiln sets REPLICA IDENTITY FULL on the table when it may.
   */
  readonly needsOldRow?: boolean;
  /**
   * Its keys are re-warmed at most once per this many milliseconds (rankings moved by every sale):
   * they wait in Postgres (change_pending), so a restart loses none.
   */
  readonly debounceMs?: number;
  /** The keys a batch of changes to its table affect (several changes may give the same key). */
  affects(changes: readonly RowChange[], ctx: RuleContext): Promise<AffectedKey[]>;
}
