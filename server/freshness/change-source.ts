import 'server-only';
import type { RowChange } from './change';

/** A raw query on the stream's own connection (the one holding the consumer lock). */
export type Query = <T extends Record<string, unknown>>(text: string, params?: unknown[]) => Promise<T[]>;

/** A batch read from a change source: the changes, and what to confirm once they are re-warmed. */
export type ChangeBatch = {
  changes: RowChange[];
  /** Rows the source returned (changes of every table, begins and commits): a full batch means more waits. */
  rows: number;
  /** Opaque: what confirm() needs to acknowledge this batch (null: nothing to confirm). */
  ticket: unknown;
};

/**
 * Where changes come from: a logical replication slot or the trigger fallback's table. Reading
 * never consumes: a batch is consumed by confirm(), once its keys are re-warmed, so a process that
 * dies in between has the next one read the same changes again (a process reads each change once).
 */
export interface ChangeSource {
  readonly mode: 'logical' | 'triggers';
  /** Creates what the source needs (the slot; the triggers on `tables`). Idempotent. */
  setUp(): Promise<void>;
  /** The changes not handed out yet, oldest first, about `limit` of them at most (whole transactions). */
  read(limit: number): Promise<ChangeBatch>;
  /** Acknowledges everything the ticket covers: those changes are never read again. */
  confirm(ticket: unknown): Promise<void>;
  /** One ticket covering two batches read one after the other. */
  mergeTickets(first: unknown, second: unknown): unknown;
  /** Bytes of WAL the slot retains (logical), null otherwise; and change rows waiting. */
  backlog(): Promise<{ lagBytes: number | null; pending: number | null }>;
  /** Resolves when a change may have arrived (NOTIFY), or after `ms`. */
  wait(ms: number): Promise<void>;
  close(): Promise<void>;
}
