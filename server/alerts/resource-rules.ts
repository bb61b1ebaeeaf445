import 'server-only';
import { and, eq, sql } from 'drizzle-orm';
import { formatDuration } from '@/lib/ui/format';
import { alertIncidents, retentionState } from '../db/schema';
import { defaultFloor } from '../warmup/governor';
import { type AlertDeps, closeIncident, closeIncidentsOfEndedRuns, openIncident } from './incidents';

// The periodic rules about what Kiln leans on: the read replica, the shop's database (as the
// governor measures it), retention, the cache's memory. The evaluator calls them under its lock.

const MINUTE = 60_000;
/** Run warnings of a fallback to the primary (server/db/shop-source.ts's ShopChoice codes). */
const FALLBACK_CODES = sql.raw(`('replica_lagging', 'replica_unreachable')`);

/**
 * `replica_fallback` (subject `replica`): a run of the last 24 hours loaded from the primary
 * because the read replica was lagging past KILN_REPLICA_MAX_LAG_BYTES or did not answer (the
 * shard records it as a run warning). Closes when a run started after the last fallback succeeds
 * without one: it loaded from the replica again (or no replica is configured any more).
 */
export async function evaluateReplicaFallback(deps: AlertDeps): Promise<void> {
  const [fallback] = await deps.database.rows<{ runId: string; strategies: string[]; at: string; code: string; message: string }>(sql`
    select r.id::text as "runId", r.strategies, w->>'at' as at, w->>'code' as code, w->>'message' as message
    from runs r cross join lateral jsonb_array_elements(r.warnings) w
    where r.created_at > now() - interval '24 hours' and not r.dry_run and jsonb_array_length(r.warnings) > 0
      and w->>'code' in ${FALLBACK_CODES}
    order by (w->>'at')::timestamptz desc limit 1`);
  const [open] = await deps.database.db.select({ openedAt: alertIncidents.openedAt }).from(alertIncidents).where(and(eq(alertIncidents.rule, 'replica_fallback'), eq(alertIncidents.subject, 'replica'), eq(alertIncidents.status, 'open')));
  if (!fallback && !open) return;
  const after = fallback ? new Date(fallback.at) : open!.openedAt;
  const [clean] = await deps.database.rows<{ id: string }>(sql`
    select r.id::text as id from runs r
    where r.created_at > ${after.toISOString()}::timestamptz and r.status = 'succeeded' and not r.dry_run
      and not exists (select 1 from jsonb_array_elements(r.warnings) w where w->>'code' in ${FALLBACK_CODES})
    order by r.created_at desc limit 1`);
  if (clean) {
    await closeIncident(deps, 'replica_fallback', 'replica', `Run ${clean.id.slice(0, 8)} succeeded without falling back to the primary`, { runId: clean.id, path: `/runs/${clean.id}` });
    return;
  }
  if (!fallback) return;
  const strategy = fallback.strategies.length === 1 ? fallback.strategies[0] : undefined;
  await openIncident(deps, {
    rule: 'replica_fallback',
    subject: 'replica',
    severity: 'warning',
    title: fallback.code === 'replica_lagging' ? 'Warmups fell back to the primary: the read replica is lagging' : 'Warmups fell back to the primary: the read replica is unreachable',
    text: `Run ${fallback.runId} loaded from the primary database at ${fallback.at}: ${fallback.message}. The primary carries the warmup's reads until the replica keeps up again.`,
    details: { runId: fallback.runId, ...(strategy ? { strategy } : {}), path: `/runs/${fallback.runId}` },
    at: new Date(fallback.at),
  });
}

type GovernorSample = { runId: string; strategies: string[]; profile: string; scheduleId: number | null; shard: string; at: string; concurrency: number; ceiling: number; inWindow: boolean };

/**
 * `governor_floor` (per run): every governor sample of a running run over the last
 * KILN_ALERT_GOVERNOR_FLOOR_MINUTES, and its last sample before them (so the run was steered for
 * the whole window), sat at the floor (server/warmup/governor.ts's defaultFloor of its ceiling):
 * the governor backs off as far as it can and the shop's database is still slow. `fixed` runs never
 * move (they are not judged). Closes when a sample climbs above the floor, or when the run ends.
 */
export async function evaluateGovernorFloor(deps: AlertDeps, now = new Date()): Promise<void> {
  const windowMs = deps.config.alerts.governorFloorMinutes * MINUTE;
  const since = new Date(now.getTime() - windowMs).toISOString();
  const samples = await deps.database.rows<GovernorSample>(sql`
    with running as (
      select id, strategies, schedule_id, coalesce(plan->>'profile', 'fixed') as profile from runs
      where status = 'running' and not dry_run and coalesce(plan->>'profile', 'fixed') <> 'fixed'
    )
    select r.id::text as "runId", r.strategies, r.profile, r.schedule_id as "scheduleId", s.strategy || ' shard ' || s.shard as shard,
           s.at::text as at, s.concurrency, s.ceiling, true as "inWindow"
    from running r join run_governor_samples s on s.run_id = r.id and s.at > ${since}::timestamptz
    union all
    select r.id::text, r.strategies, r.profile, r.schedule_id, b.strategy || ' shard ' || b.shard, b.at::text, b.concurrency, b.ceiling, false
    from running r cross join lateral (
      select strategy, shard, at, concurrency, ceiling from run_governor_samples
      where run_id = r.id and at <= ${since}::timestamptz order by at desc, id desc limit 1) b`);
  const byRun = new Map<string, GovernorSample[]>();
  for (const s of samples) byRun.set(s.runId, [...(byRun.get(s.runId) ?? []), s]);
  const atFloor = (s: GovernorSample) => s.concurrency <= defaultFloor(s.ceiling) && defaultFloor(s.ceiling) < s.ceiling;
  for (const [runId, rows] of byRun) {
    const inWindow = rows.filter((s) => s.inWindow);
    const before = rows.find((s) => !s.inWindow);
    const subject = `run:${runId}`;
    if (inWindow.length === 0) continue; // not sampled lately (its sample limit reached): nothing new to judge
    const above = inWindow.find((s) => !atFloor(s));
    if (above) {
      await closeIncident(deps, 'governor_floor', subject, `The governor of run ${runId.slice(0, 8)} climbed above its floor (${above.concurrency} of ${above.ceiling} loads in flight, ${above.shard})`);
      continue;
    }
    if (!before || !atFloor(before)) continue;
    const run = rows[0]!;
    const latest = inWindow.reduce((a, b) => (a.at > b.at ? a : b));
    const strategy = run.strategies.length === 1 ? run.strategies[0] : undefined;
    await openIncident(deps, {
      rule: 'governor_floor',
      subject,
      severity: 'warning',
      title: `Run ${runId.slice(0, 8)} (${run.strategies.join(', ')}) is held at its governor floor`,
      text: `For ${formatDuration(windowMs)} the ${run.profile} governor of run ${runId} kept ${latest.concurrency} of at most ${latest.ceiling} loads in flight (its floor, ${inWindow.length} samples): the shop's database answers slowly even under the least load the run can give it. The run goes on, slowly.`,
      details: { runId, ...(strategy ? { strategy } : {}), ...(run.scheduleId ? { scheduleId: run.scheduleId } : {}), path: `/runs/${runId}` },
    });
  }
  await closeIncidentsOfEndedRuns(deps, 'governor_floor');
}

/**
 * `prune_failed` (subject `retention`): the last retention pass recorded an error in
 * retention_state (the Settings page shows it too). The next pass that finishes clears the error
 * and closes it.
 */
export async function evaluatePruneFailures(deps: AlertDeps): Promise<void> {
  const [state] = await deps.database.db.select().from(retentionState).where(eq(retentionState.id, 1));
  if (!state?.lastFinishedAt) return;
  if (state.lastError) {
    await openIncident(deps, {
      rule: 'prune_failed',
      subject: 'retention',
      severity: 'warning',
      title: 'A retention pruning pass failed',
      text: `The pruning pass started ${state.lastStartedAt?.toISOString() ?? '?'} by ${state.lastBy ?? 'a Kiln process'} failed: ${state.lastError.slice(0, 400)}. Old rows are kept until a pass succeeds; the next pass tries again.`,
      details: { path: '/settings' },
      at: state.lastFinishedAt,
    });
  } else {
    await closeIncident(deps, 'prune_failed', 'retention', `The pruning pass of ${state.lastFinishedAt.toISOString()} succeeded`);
  }
}

type EvictionPoint = { at: string; evicted: number; source: string };

/**
 * `cache_evictions` (subject `cache`): the newest sample of the cache's eviction counter counts
 * more evictions than the sample before it: a keyspace sample (INFO evicted_keys, every
 * KEYSPACE_SAMPLE_SECONDS; a restarted Redis counts from zero) or a coverage sample (the same
 * counter, per strategy, compared with that strategy's previous sample). The cache ran out of
 * memory and dropped keys, warmed ones among them. Closes when a newer sample shows none.
 */
export async function evaluateEvictions(deps: AlertDeps): Promise<void> {
  const points = await deps.database.rows<EvictionPoint & { previous: number | null; restarted: boolean }>(sql`
    (select k.sampled_at::text as at, k.evicted_keys::float8 as evicted, 'keyspace' as source,
            p.evicted_keys::float8 as previous, coalesce(k.uptime_seconds < p.uptime_seconds, false) as restarted
     from (select * from keyspace_samples where sampled_at > now() - interval '1 day' order by sampled_at desc limit 1) k
     left join lateral (select evicted_keys, uptime_seconds from keyspace_samples where sampled_at < k.sampled_at order by sampled_at desc limit 1) p on true)
    union all
    (select c.sampled_at::text, c.evicted_keys::float8, 'coverage sample of ' || c.strategy,
            (select p.evicted_keys::float8 from coverage_samples p
             where p.strategy = c.strategy and p.evicted_keys is not null and (p.sampled_at, p.id) < (c.sampled_at, c.id)
             order by p.sampled_at desc, p.id desc limit 1), false
     from coverage_samples c
     where c.evicted_keys is not null and c.sampled_at = (select max(sampled_at) from coverage_samples where evicted_keys is not null and sampled_at > now() - interval '1 day'))`);
  const judged = points
    .filter((p) => p.previous !== null)
    .map((p) => ({ ...p, delta: p.restarted || p.evicted < p.previous! ? p.evicted : p.evicted - p.previous! }));
  if (judged.length === 0) return;
  // The newest instant decides; of the samples taken at it, the one that saw the most evictions.
  const newest = judged.reduce((a, b) => (new Date(b.at) > new Date(a.at) || (new Date(b.at).getTime() === new Date(a.at).getTime() && b.delta > a.delta) ? b : a));
  if (newest.delta > 0) {
    await openIncident(deps, {
      rule: 'cache_evictions',
      subject: 'cache',
      severity: 'warning',
      title: 'The cache is evicting keys',
      text: `${newest.delta} keys were evicted by the cache between two samples (${newest.source} of ${new Date(newest.at).toISOString()}): it is out of memory and drops keys, warmed ones among them. Raise maxmemory or warm less.`,
      details: { path: '/' },
      at: new Date(newest.at),
    });
  } else {
    await closeIncident(deps, 'cache_evictions', 'cache', `No new evictions in the ${newest.source} of ${new Date(newest.at).toISOString()}`);
  }
}
