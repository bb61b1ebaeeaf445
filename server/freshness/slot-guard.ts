import 'server-only';
import type { Query } from './change-source';

export type SlotCheck =
  | { action: 'none' | 'missing'; retainedBytes: number | null }
  | { action: 'warned'; retainedBytes: number; message: string }
  | { action: 'dropped'; retainedBytes: number; message: string };

/**
 * The slot guard: a replication slot keeps every WAL segment from its restart position on, so a
 * slot nobody reads fills the disk. Past half of `maxRetainedBytes` it warns; past the bound it
 * drops the slot, unless another session is reading it right now (that session's own guard acts).
 * The changes it held are then lost: keys stay as cached until their TTL or the next run.
 */
export async function checkSlot(query: Query, slot: string, maxRetainedBytes: number): Promise<SlotCheck> {
  const [row] = await query<{ retained: string | null; active: boolean }>(
    `select pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::text as retained, active from pg_replication_slots where slot_name = $1`,
    [slot],
  );
  if (!row) return { action: 'missing', retainedBytes: null };
  const retained = Number(row.retained ?? 0);
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (retained > maxRetainedBytes && !row.active) {
    const dropped = await query(`select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = $1 and not active`, [slot]);
    if (dropped.length) {
      return {
        action: 'dropped',
        retainedBytes: retained,
        message: `The slot ${slot} retained ${mb(retained)} of WAL, over the ${mb(maxRetainedBytes)} bound (KILN_SLOT_MAX_RETAINED_MB): dropped; changes it held were not re-warmed`,
      };
    }
  }
  if (retained > maxRetainedBytes / 2) {
    return { action: 'warned', retainedBytes: retained, message: `The slot ${slot} retains ${mb(retained)} of WAL, over half the ${mb(maxRetainedBytes)} bound: it is dropped beyond it` };
  }
  return { action: 'none', retainedBytes: retained };
}
