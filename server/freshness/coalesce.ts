import 'server-only';
import type { ChangeRule, RowChange, RuleContext } from './change';
import type { DueKey } from './rewarm';

export type Coalesced = {
  /** Keys to re-warm now, one entry per key however many changes touched it. */
  immediate: Map<string, DueKey>;
  /** Keys of debounced rules, by their debounce. */
  deferred: Map<number, Map<string, DueKey>>;
  /** Per strategy: how many changes touched one of its keys. */
  seen: Map<string, number>;
};

/**
 * Asks each rule which keys its table's changes affect and merges them per key: a product updated
 * 50 times in the window is one key to load. The latest change decides between re-warm and delete;
 * the oldest commit starts the delay.
 */
export async function coalesce(changes: readonly RowChange[], rules: readonly ChangeRule[], ctx: RuleContext): Promise<Coalesced> {
  const immediate = new Map<string, DueKey>();
  const deferred = new Map<number, Map<string, DueKey>>();
  const seenBy = new Map<string, Set<RowChange>>();
  if (changes.length === 0) return { immediate, deferred, seen: new Map() };
  const byTable = new Map<string, RowChange[]>();
  for (const change of changes) byTable.set(change.table, [...(byTable.get(change.table) ?? []), change]);
  const latest = new Map<DueKey, bigint>();
  for (const rule of rules) {
    const mine = byTable.get(rule.table);
    if (!mine?.length) continue;
    const target = rule.debounceMs ? (deferred.get(rule.debounceMs) ?? deferred.set(rule.debounceMs, new Map()).get(rule.debounceMs)!) : immediate;
    for (const affected of await rule.affects(mine, ctx)) {
      let due = target.get(affected.key);
      if (!due) {
        due = { key: affected.key, strategies: new Set(), inWarmSetOf: new Set(), action: affected.action, firstCommittedAt: affected.from.committedAt };
        target.set(affected.key, due);
        latest.set(due, affected.from.position);
      }
      due.strategies.add(affected.strategy);
      if (affected.inWarmSet) due.inWarmSetOf.add(affected.strategy);
      if (affected.from.committedAt < due.firstCommittedAt) due.firstCommittedAt = affected.from.committedAt;
      if (affected.from.position >= latest.get(due)!) {
        latest.set(due, affected.from.position);
        due.action = affected.action;
        // Deleted (or inactive) now: the warm set no longer holds it.
        if (affected.action === 'delete') due.inWarmSetOf.delete(affected.strategy);
      }
      let set = seenBy.get(affected.strategy);
      if (!set) seenBy.set(affected.strategy, (set = new Set()));
      set.add(affected.from);
    }
  }
  return { immediate, deferred, seen: new Map([...seenBy].map(([s, set]) => [s, set.size])) };
}
