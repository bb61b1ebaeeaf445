import 'server-only';
import type { StrategyCoverage } from '@/lib/api/schedules';
import { coverageGaps, suggestSchedule } from '@/lib/schedule-coverage';
import type { Database } from '../db/client';
import type { StrategyRegistry } from '../warmup/registry';
import { strategiesInScope } from '../warmup/scope';
import { resolveStrategies } from '../warmup/settings';
import { parseCron } from './cron-expression';
import { slotsBetween } from './cron-slots';
import { loadSchedules } from './schedule-store';

const WEEK_MS = 7 * 24 * 3600_000;
/** Gaps listed per strategy; the totals count them all. */
const GAPS_SHOWN = 5;

/**
 * What the enabled schedules leave uncovered over the coming week, per enabled strategy: a run
 * keeps a strategy's keys for its TTL, so between runs further apart than that the shop reads
 * from the database. Each strategy with gaps gets a schedule that would close them.
 */
export async function scheduleCoverage(runtime: { database: Database; registry: StrategyRegistry }, options: { now?: Date } = {}): Promise<StrategyCoverage[]> {
  const now = options.now ?? new Date();
  const fromMs = now.getTime();
  const toMs = fromMs + WEEK_MS;
  const [strategies, schedules] = await Promise.all([resolveStrategies(runtime.database, runtime.registry), loadSchedules(runtime.database)]);
  const enabled = strategies.filter((s) => s.enabled);
  const fires = new Map<string, { times: number[]; schedules: string[] }>(enabled.map((s) => [s.name, { times: [], schedules: [] }]));
  for (const schedule of schedules.filter((s) => s.enabled)) {
    let names: string[];
    try {
      names = strategiesInScope(strategies, schedule.scope).map((s) => s.name);
    } catch {
      continue; // a scope naming a disabled or unknown strategy warms nothing when it fires
    }
    let times: number[];
    try {
      // From a TTL before now: a run shortly before still covers the start of the window.
      const longestTtl = Math.max(0, ...enabled.map((s) => s.ttlSeconds)) * 1000;
      times = slotsBetween(parseCron(schedule.cron), schedule.timezone, new Date(fromMs - longestTtl), new Date(toMs)).map((d) => d.getTime());
    } catch {
      continue;
    }
    for (const name of names) {
      const entry = fires.get(name);
      if (!entry) continue;
      entry.times.push(...times);
      entry.schedules.push(schedule.name);
    }
  }
  return enabled.map((s) => {
    const entry = fires.get(s.name)!;
    const gaps = coverageGaps(entry.times, s.ttlSeconds, fromMs, toMs);
    return {
      strategy: s.name,
      ttlSeconds: s.ttlSeconds,
      schedules: entry.schedules,
      from: new Date(fromMs).toISOString(),
      to: new Date(toMs).toISOString(),
      coveredFraction: gaps.coveredFraction,
      uncoveredMs: gaps.uncoveredMs,
      longestGapMs: gaps.longestGapMs,
      gapCount: gaps.gaps.length,
      gaps: gaps.gaps.slice(0, GAPS_SHOWN).map((g) => ({ from: new Date(g.fromMs).toISOString(), to: new Date(g.toMs).toISOString() })),
      suggestion: gaps.gaps.length ? suggestSchedule(s.ttlSeconds) : null,
    };
  });
}
