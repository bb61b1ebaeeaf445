import 'server-only';
import { type SQL, sql } from 'drizzle-orm';
import { WORKER_GONE_SECONDS } from '../warmup/run-watchdog';

/**
 * A run's progress (lib/api/runs.ts RunProgress) built by Postgres from its records, for the run
 * alias `r`: the strategies it has recorded (`completed`), the one being warmed now summed over
 * its shards (settled shards' results plus running shards' live figures), the phase it is in and
 * what it is waiting for. One expression, so a snapshot is one query on any replica.
 */
export function runProgressJson(): SQL {
  return sql`(
    with done as (
      select rs.strategy, rs.outcome, rs.total, rs.warmed, rs.skipped, rs.failed, rs.position
      from run_strategies rs where rs.run_id = r.id
    ),
    cur as (
      select t.s as strategy from unnest(r.strategies) with ordinality as t(s, i)
      where t.s not in (select strategy from done) order by t.i limit 1
    ),
    sh as (select * from run_shards s where s.run_id = r.id and s.strategy = (select strategy from cur)),
    agg as (
      select count(*)::int as shards,
             count(*) filter (where status = 'queued')::int as queued,
             count(*) filter (where status = 'running')::int as running,
             count(*) filter (where status in ('done', 'failed', 'cancelled'))::int as settled,
             count(*) filter (where jsonb_array_length(retries) > 0)::int as retried,
             sum(case when status = 'running' then coalesce((progress->>'done')::int, 0) else total end)::int as done,
             sum(case when status = 'running' then coalesce((progress->>'warmed')::int, 0) else warmed end)::int as warmed,
             sum(case when status = 'running' then coalesce((progress->>'skipped')::int, 0) else skipped end)::int as skipped,
             sum(case when status = 'running' then coalesce((progress->>'failed')::int, 0) else failed end)::int as failed,
             coalesce(sum((progress->>'keysPerSecond')::float8) filter (where status = 'running'), 0)::int as "keysPerSecond",
             coalesce(sum((progress->>'inFlight')::int) filter (where status = 'running'), 0)::int as "inFlight",
             sum((progress->>'concurrency')::int) filter (where status = 'running' and progress is not null)::int as applied,
             -- Settled shards count what they did; the others what they expect (once they know).
             case when bool_and(planned) and bool_and(case when status in ('done', 'failed', 'cancelled') then true
                                                           else coalesce(expected, (progress->>'expected')::int) is not null end)
                  then sum(case when status in ('done', 'failed', 'cancelled') then total
                                else coalesce(expected, (progress->>'expected')::int) end)::int end as expected,
             (extract(epoch from (now() - min(started_at))) * 1000)::int as "elapsedMs",
             min(queued_at) filter (where status = 'queued') as queued_since,
             max(started_at) as last_start,
             bool_or(status = 'running' and phase = 'planning') as planning,
             bool_or(status = 'running' and phase = 'counting') as counting,
             bool_or(status = 'running' and phase = 'saving') as saving,
             bool_or(progress is not null or status in ('done', 'failed', 'cancelled')) as reported
      from sh
    ),
    live as (
      select count(*)::int as n from workers w
      where w.state = 'running' and w.last_seen_at > now() - make_interval(secs => ${WORKER_GONE_SECONDS})
    )
    select json_build_object(
      'strategy', (select strategy from cur),
      'position', (select count(*)::int from done),
      'strategiesTotal', cardinality(r.strategies),
      'completed', coalesce((select json_agg(json_build_object('strategy', strategy, 'outcome', outcome, 'total', total, 'warmed', warmed,
                                                               'skipped', skipped, 'failed', failed) order by position) from done), '[]'::json),
      'current', case when (select reported from agg) then (select json_build_object(
          'strategy', (select strategy from cur), 'expected', expected, 'done', done, 'warmed', warmed, 'skipped', skipped, 'failed', failed,
          'keysPerSecond', "keysPerSecond", 'elapsedMs', coalesce("elapsedMs", 0)) from agg) end,
      -- What the workers apply now (their shares of the run's ceiling), the ceiling while none runs.
      'concurrency', coalesce((select applied from agg), r.concurrency),
      'inFlight', (select "inFlight" from agg),
      'shards', (select json_build_object('total', shards, 'queued', queued, 'running', running, 'settled', settled, 'retried', retried) from agg),
      'phase', case
        when r.status <> 'running' then null
        when (select strategy from cur) is null then 'saving'
        when (select running from agg) = 0 and (select settled from agg) = 0 then 'queued'
        when (select planning from agg) then 'planning'
        when (select counting from agg) then 'counting'
        when (select saving from agg) and (select "keysPerSecond" from agg) = 0 then 'saving'
        else 'warming' end,
      'phaseSince', to_char(coalesce(
        case when (select running from agg) = 0 then (select queued_since from agg) end,
        (select last_start from agg), r.created_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
      'waitingFor', case
        when r.status <> 'running' or (select queued from agg) = 0 or (select running from agg) > 0 then null
        when (select paused from settings where id = 1) then 'pause'
        when (select n from live) = 0 then 'worker'
        else 'slot' end
    )
  )`;
}
