import 'server-only';
import { and, eq, gt, sql } from 'drizzle-orm';
import { formatDuration } from '@/lib/ui/format';
import type { Config } from '../config';
import { alertIncidents, schedules } from '../db/schema';
import { loadStreamState } from '../freshness/freshness-store';
import { parseCron } from '../scheduling/cron-expression';
import { slotsAfter } from '../scheduling/cron-slots';
import { type AlertDeps, closeIncident, closeIncidentsOfEndedRuns, openIncident } from './incidents';

const MINUTE = 60_000;

/**
 * `run_late`: a run still going after k × (KILN_ALERT_LATE_FACTOR) the p95 duration of the last 20
 * succeeded runs of the same strategies with the same governor profile (at least 3 of them): a
 * gentle run that yields to the shop's traffic takes longer than a fixed one by design, so each
 * profile is judged against its own history. Closes when the run ends.
 */
export async function evaluateLateRuns(deps: AlertDeps): Promise<void> {
  const k = deps.config.alerts.lateFactor;
  // A run recorded before the governor has no profile in its plan: it ran `fixed`.
  const running = await deps.database.rows<{ id: string; strategies: string[]; scheduleId: number | null; profile: string; elapsedMs: number; p95: number | null; samples: number }>(sql`
    select r.id, r.strategies, r.schedule_id as "scheduleId", coalesce(r.plan->>'profile', 'fixed') as profile,
           (extract(epoch from now() - r.created_at) * 1000)::float8 as "elapsedMs", h.p95, h.samples
    from runs r
    cross join lateral (
      select percentile_cont(0.95) within group (order by p.duration_ms)::float8 as p95, count(*)::int as samples
      from (select duration_ms from runs p
            where p.strategies = r.strategies and coalesce(p.plan->>'profile', 'fixed') = coalesce(r.plan->>'profile', 'fixed')
              and p.status = 'succeeded' and not p.dry_run and p.duration_ms is not null
            order by p.created_at desc limit 20) p
    ) h
    where r.status = 'running' and not r.dry_run`);
  for (const run of running) {
    if (run.p95 === null || run.samples < 3) continue;
    const limit = Math.max(k * run.p95, 1000);
    if (run.elapsedMs <= limit) continue;
    const strategy = run.strategies.length === 1 ? run.strategies[0] : undefined;
    await openIncident(deps, {
      rule: 'run_late',
      subject: `run:${run.id}`,
      severity: 'warning',
      title: `Run ${run.id.slice(0, 8)} (${run.strategies.join(', ')}) is running late`,
      text: `Run ${run.id} has been running for ${formatDuration(run.elapsedMs)}, more than ${k} × the p95 of its strategies' recent ${run.profile} runs (${formatDuration(run.p95)}, ${run.samples} runs).`,
      details: { runId: run.id, ...(strategy ? { strategy } : {}), ...(run.scheduleId ? { scheduleId: run.scheduleId } : {}), path: `/runs/${run.id}` },
    });
  }
  await closeIncidentsOfEndedRuns(deps, 'run_late');
}

type Fire = { slotAt: Date; outcome: string; reason: string | null };

/**
 * `schedule_missed`: a slot of an enabled schedule that nobody claimed within the grace period
 * (every scheduler down: any replica's evaluator notices, the claim table is shared), or one
 * claimed but missed, skipped (busy, overlap) or failed to start. The schedule's next slot that
 * starts a run closes it. Slots before the schedule's last edit (or enabling) are not counted.
 */
export async function evaluateScheduleSlots(deps: AlertDeps, now = new Date()): Promise<void> {
  const grace = deps.config.alerts.slotGraceSeconds * 1000;
  const lookback = Math.max(4 * grace, 60 * MINUTE);
  const rows = await deps.database.db.select().from(schedules).where(eq(schedules.enabled, true));
  for (const schedule of rows) {
    const from = new Date(Math.max(now.getTime() - lookback, schedule.updatedAt.getTime(), schedule.createdAt.getTime()));
    const to = now.getTime() - grace;
    if (from.getTime() >= to) continue;
    let spec;
    try {
      spec = parseCron(schedule.cron);
    } catch {
      continue;
    }
    const due: Date[] = [];
    for (const slot of slotsAfter(spec, schedule.timezone, from)) {
      if (slot.at.getTime() > to || due.length >= 500) break;
      due.push(slot.at);
    }
    const fires = await deps.database.rows<Fire>(sql`
      select slot_at as "slotAt", outcome, reason from schedule_fires where schedule_id = ${schedule.id} and slot_at > ${from.toISOString()}::timestamptz order by slot_at`);
    const bySlot = new Map(fires.map((f) => [new Date(f.slotAt).getTime(), f]));
    const problems: { at: Date; what: string }[] = [];
    for (const at of due) {
      const fire = bySlot.get(at.getTime());
      if (!fire) problems.push({ at, what: `no process fired it within ${formatDuration(grace)} (are the schedulers running?)` });
    }
    for (const fire of fires) {
      if (fire.outcome === 'missed' || fire.outcome === 'skipped_busy' || fire.outcome === 'skipped_overlap' || fire.outcome === 'error') {
        problems.push({ at: new Date(fire.slotAt), what: `${fire.outcome.replace('_', ' ')}${fire.reason ? `: ${fire.reason}` : ''}` });
      }
    }
    const lastStarted = fires.filter((f) => f.outcome === 'started').reduce<number>((t, f) => Math.max(t, new Date(f.slotAt).getTime()), 0);
    const latest = problems.sort((a, b) => b.at.getTime() - a.at.getTime())[0];
    const subject = `schedule:${schedule.id}`;
    if (latest && latest.at.getTime() > lastStarted) {
      await openIncident(deps, {
        rule: 'schedule_missed',
        subject,
        severity: 'warning',
        title: `Schedule "${schedule.name}" missed its slot of ${latest.at.toISOString().slice(0, 16)}Z`,
        text: `The slot of ${latest.at.toISOString()} of schedule "${schedule.name}" (${schedule.cron}, ${schedule.timezone}): ${latest.what.slice(0, 400)}.${problems.length > 1 ? ` ${problems.length} slots affected in the last ${formatDuration(lookback)}.` : ''}`,
        details: { scheduleId: schedule.id, path: '/schedules' },
      });
    } else if (lastStarted > 0) {
      await closeIncident(deps, 'schedule_missed', subject, `Schedule "${schedule.name}" fired its slot of ${new Date(lastStarted).toISOString().slice(0, 16)}Z`);
    }
  }
  // A schedule deleted or disabled has no slots to miss any more.
  const open = await deps.database.rows<{ subject: string; enabled: boolean | null }>(sql`
    select i.subject, s.enabled from alert_incidents i left join schedules s on s.id::text = substr(i.subject, 10)
    where i.rule = 'schedule_missed' and i.status = 'open'`);
  for (const incident of open) {
    if (!incident.enabled) await closeIncident(deps, 'schedule_missed', incident.subject, 'The schedule was disabled or deleted');
  }
}

/**
 * `change_stream`: the consumer failed, its holder stopped reporting (dead), or its slot retains
 * more than half the configured limit. Closes when it streams again within bounds.
 */
export async function evaluateChangeStream(deps: AlertDeps & { config: Pick<Config, 'changeStream'> }): Promise<void> {
  const state = await loadStreamState(deps.database);
  if (!state || state.mode === 'off' || state.state === 'off') {
    await closeIncident(deps, 'change_stream', 'change-stream', 'The change stream is off');
    return;
  }
  const staleMs = Date.now() - state.updatedAt.getTime();
  const limit = deps.config.changeStream.maxRetainedBytes;
  let problem: string | null = null;
  if (state.state === 'failed') problem = `The change-stream consumer failed: ${state.lastError ?? 'no error recorded'}`;
  else if (state.state !== 'stopped' && staleMs > Math.max(30_000, deps.config.alerts.downSeconds * 1000)) problem = `No process has reported the change stream for ${formatDuration(staleMs)}: its consumer is dead`;
  else if (state.mode === 'logical' && state.lagBytes !== null && state.lagBytes > limit / 2) problem = `The replication slot ${state.slot ?? ''} retains ${Math.round(state.lagBytes / 1048576)} MB of WAL (the guard drops it at ${Math.round(limit / 1048576)} MB)`;
  if (problem) {
    await openIncident(deps, { rule: 'change_stream', subject: 'change-stream', severity: 'warning', title: 'The change stream is not keeping up', text: problem, details: { path: '/freshness' } });
  } else if (state.state === 'streaming') {
    await closeIncident(deps, 'change_stream', 'change-stream', 'The change stream is streaming again');
  }
}

/** Whether an incident of `rule` opened or closed since `since` (an outage another replica already recorded). */
export async function recordedSince(deps: AlertDeps, rule: string, since: Date): Promise<boolean> {
  const rows = await deps.database.db
    .select({ id: alertIncidents.id })
    .from(alertIncidents)
    .where(and(eq(alertIncidents.rule, rule), gt(sql`coalesce(${alertIncidents.closedAt}, ${alertIncidents.openedAt})`, sql`${since.toISOString()}::timestamptz`)))
    .limit(1);
  return rows.length > 0;
}
