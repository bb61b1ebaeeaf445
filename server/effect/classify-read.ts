import 'server-only';
import type { KeyState } from '../cache/cache';

export type ReadVerdict = 'used' | 'unread' | 'gone' | 'unknown';

/** Redis gives a new key this LFU counter (LFU_INIT_VAL); a read adds 1 to a counter this low. */
export const LFU_INIT_VAL = 5;
/**
 * Seconds of slack on an idle time: Redis's LRU clock ticks once a second and OBJECT IDLETIME rounds
 * down. The recorded write time is taken once the batch's write returned (never before the write), so
 * an unread key never looks read; a read within this long after the write cannot be told from it.
 */
export const IDLE_SLACK_SECONDS = 2;

export type ClassifyInput = {
  state: KeyState;
  /** When the run wrote the key (epoch ms). */
  writtenAtMs: number;
  /** The key's last known write by any run (epoch ms), at or after writtenAtMs: a re-warm resets the evidence. */
  lastWriteMs: number;
  serverNowMs: number;
  /** lfu-decay-time in minutes (null: unknown, Redis's default 1 assumed). */
  lfuDecayMinutes: number | null;
};

/**
 * Whether the shop read a key since the run wrote it, from what OBJECT says without touching it.
 * - Gone: the key is missing (expired or evicted).
 * - IDLETIME (LRU, no-eviction): a read since the write leaves an idle time shorter than the time
 *   since the write.
 * - FREQ (LFU): Kiln writes a key fresh (counter LFU_INIT_VAL) and the counter loses one per decay
 *   period, so an unread key has exactly LFU_INIT_VAL minus the periods since its write, and a read
 *   one has more. Once that has decayed to 0, a 0 cannot tell "never read" from "read long ago":
 *   unknown. With a decay time above one minute the periods split unevenly: a single read may show
 *   as unread (an undercount). With decay 0 the counter never falls: above LFU_INIT_VAL means read.
 * - A key another run wrote again since: a read after that write is a read (used); otherwise the
 *   re-warm reset the evidence: unknown.
 */
export function classifyRead(input: ClassifyInput): ReadVerdict {
  const { state } = input;
  if (state.kind === 'missing') return 'gone';
  const rewritten = input.lastWriteMs > input.writtenAtMs;
  const since = Math.max(input.writtenAtMs, input.lastWriteMs);
  let read: boolean | null;
  if (state.kind === 'idle') {
    const elapsed = (input.serverNowMs - since) / 1000;
    read = elapsed <= IDLE_SLACK_SECONDS ? null : state.seconds < elapsed - IDLE_SLACK_SECONDS;
  } else {
    const decay = input.lfuDecayMinutes ?? 1;
    if (decay === 0) read = state.value > LFU_INIT_VAL;
    else {
      const periods = Math.floor((Math.floor(input.serverNowMs / 60_000) - Math.floor(since / 60_000)) / decay);
      const unreadValue = Math.max(0, LFU_INIT_VAL - periods);
      read = state.value > unreadValue ? true : unreadValue === 0 ? null : false;
    }
  }
  if (read === true) return 'used';
  if (read === null || rewritten) return 'unknown';
  return 'unread';
}
