// npm run bench:retention [-- --years 3 --failed-keys 10000000 --batch 5000]
//
// Three years of history in a database of its own (durb_bench_retention, or BENCH_DATABASE_URL):
// a run every 30 minutes covering four strategies (each with its result, its shard and every
// failed key), an every-30-minutes schedule's fires and an audit entry an hour. Then one prune by
// the default policies (runs 400 days, failed keys and fires 30, audit 400) while the stats API's
// query (getRunStats: 30 days by day, 7 days by 6 hours, a day by 5 minutes, at random places in
// the three years) runs back to back: it prints the prune's time and rows/s, and the stats p95
// during the prune against idle. The database is dropped at the end (BENCH_KEEP=1 keeps it).
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import type { StatsQuery } from '@/lib/api/runs';
import { openPostgres } from '@/server/db/client';
import { applyMigrations } from '@/server/db/migrate';
import { pruneOnce } from '@/server/retention/prune';
import { getRunStats } from '@/server/runs/run-stats';
import { seedRunHistory } from '../support/run-history';
import { percentiles, print, round } from './support';

const { values: args } = parseArgs({
  options: {
    years: { type: 'string', default: '3' },
    'failed-keys': { type: 'string', default: '10000000' },
    batch: { type: 'string', default: '5000' },
    'idle-queries': { type: 'string', default: '80' },
  },
});
const YEARS = Number(args.years);
const TARGET_FAILED = Number(args['failed-keys']);
const BATCH = Number(args.batch);
const STRATEGIES = ['hot_products', 'recommendations', 'categories', 'sessions'];
const DAY = 86_400_000;

async function main() {
  const url = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/durb_bench_retention';
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const adminUrl = new URL(url);
  adminUrl.pathname = '/postgres';
  const admin = postgres(adminUrl.toString(), { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists "${name}" with (force)`);
  await admin.unsafe(`create database "${name}"`);
  const database = await openPostgres(url, 10);
  try {
    await applyMigrations(database);
    const now = new Date(Math.floor(Date.now() / 1_800_000) * 1_800_000);
    const from = new Date(now.getTime() - YEARS * 365 * DAY);
    const slots = Math.floor((now.getTime() - from.getTime()) / 1_800_000) + 1;
    // A result fails 0..maxFailed keys (about maxFailed / 2 on average): sized to the target.
    const maxFailed = Math.max(1, Math.round((2 * TARGET_FAILED) / (slots * STRATEGIES.length)));
    console.error(`Seeding ${YEARS} years: ${slots} runs x ${STRATEGIES.length} strategies, ~${TARGET_FAILED} failed keys (0..${maxFailed} a result)...`);
    let started = performance.now();
    const seeded = { runs: 0, results: 0, failures: 0 };
    // A year at a time: shorter statements, and progress.
    for (let year = 0; year < YEARS; year++) {
      const a = new Date(from.getTime() + year * 365 * DAY);
      const b = year === YEARS - 1 ? now : new Date(a.getTime() + 365 * DAY - 1_800_000);
      const part = await seedRunHistory(database, { from: a, to: b, everyMinutes: 30, strategies: STRATEGIES, maxFailed, tag: 'bench' });
      seeded.runs += part.runs;
      seeded.results += part.results;
      seeded.failures += part.failures;
      console.error(`  year ${year + 1}: ${part.runs} runs, ${part.failures} failed keys (${round((performance.now() - started) / 1000, 1)} s)`);
    }
    await database.rows(sql`insert into schedules (name, cron, scope) values ('Every 30 minutes', '*/30 * * * *', '{"all":true}')`);
    const [fires] = await database.rows<{ n: number }>(sql`
      with f as (insert into schedule_fires (schedule_id, slot_at, outcome, claimed_by, created_at)
                 select 1, t, 'started', 'seed', t from generate_series(${from.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz, interval '30 minutes') t returning 1)
      select count(*)::int as n from f`);
    const [audit] = await database.rows<{ n: number }>(sql`
      with a as (insert into audit_log (at, actor, action) select t, 'seed', 'run.trigger' from generate_series(${from.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz, interval '1 hour') t returning 1)
      select count(*)::int as n from a`);
    await database.rows(sql`analyze`);
    const seedSeconds = (performance.now() - started) / 1000;
    const [size] = await database.rows<{ bytes: number }>(sql`select pg_database_size(current_database())::float8 as bytes`);
    print({ measurement: 'seed', ...seeded, scheduleFires: fires!.n, audit: audit!.n, seconds: round(seedSeconds, 1), databaseMB: round(size!.bytes / 1e6, 0) });

    // The stats API's queries at random places of the history (so settled buckets are rarely in memory).
    let seq = 0;
    const queries: ((at: number) => StatsQuery)[] = [
      (at) => ({ from: new Date(at - 30 * DAY).toISOString(), to: new Date(at).toISOString(), bucket: '1d' }),
      (at) => ({ from: new Date(at - 7 * DAY).toISOString(), to: new Date(at).toISOString(), bucket: '6h' }),
      (at) => ({ from: new Date(at - DAY).toISOString(), to: new Date(at).toISOString() }),
    ];
    const oneQuery = async () => {
      const i = seq++;
      const at = from.getTime() + 30 * DAY + ((i * 7919 * 3_600_000) % (now.getTime() - from.getTime() - 30 * DAY));
      const t0 = performance.now();
      await getRunStats(database, queries[i % queries.length]!(Math.floor(at / 3_600_000) * 3_600_000 + (i % 60) * 1000));
      return performance.now() - t0;
    };
    const idle: number[] = [];
    for (let i = 0; i < Number(args['idle-queries']); i++) idle.push(await oneQuery());
    const idleP = percentiles(idle);
    print({ measurement: 'stats-idle', queries: idle.length, p50Ms: idleP.p50, p95Ms: idleP.p95, maxMs: idleP.max });

    // The year's success-rate chart before the prune (whole UTC days: a rolled-up day is counted
    // whole or not at all), to check it still draws, the same, after.
    const dayOf = (t: number) => new Date(Math.floor(t / DAY) * DAY).toISOString();
    const yearQuery: StatsQuery = { from: dayOf(now.getTime() - 2 * 365 * DAY), to: dayOf(now.getTime() - 365 * DAY), bucket: '1d' };
    const chartBefore = await getRunStats(database, yearQuery);

    const during: number[] = [];
    let pruning = true;
    const load = (async () => {
      while (pruning) during.push(await oneQuery());
    })();
    started = performance.now();
    const report = await pruneOnce(database, { timezone: 'UTC', batchRows: BATCH, now, by: 'bench' });
    const pruneSeconds = (performance.now() - started) / 1000;
    pruning = false;
    await load;
    const removed = Object.values(report.removed).reduce((a, b) => a + b, 0);
    print({ measurement: 'prune', seconds: round(pruneSeconds, 1), removed, rowsPerSecond: Math.round(removed / pruneSeconds), rolledUpDays: report.rolledUpDays, batchRows: BATCH, ...report.removed });
    const duringP = percentiles(during);
    print({ measurement: 'stats-during-prune', queries: during.length, p50Ms: duringP.p50, p95Ms: duringP.p95, maxMs: duringP.max });

    const chartAfter = await getRunStats(database, yearQuery);
    const rates = (s: typeof chartAfter) => s.buckets.map((b) => `${b.bucketStart}|${b.strategy}|${b.runs}|${b.successRate}`).join('\n');
    const before = new Set(rates(chartBefore).split('\n'));
    const differing = rates(chartAfter).split('\n').filter((line) => !before.has(line)).length;
    print({ measurement: 'year-chart-after-prune', buckets: chartAfter.buckets.length, fromRollups: chartAfter.buckets.filter((b) => b.fromRollups).length, sameAsBefore: rates(chartAfter) === rates(chartBefore), differing });

    console.log('');
    console.log('| measurement | figure |');
    console.log('|---|---|');
    console.log(`| seeded | ${seeded.runs} runs, ${seeded.results} results and shards, ${seeded.failures} failed keys, ${fires!.n} fires, ${audit!.n} audit rows in ${round(seedSeconds, 0)} s (${round(size!.bytes / 1e9, 2)} GB) |`);
    console.log(`| prune | ${removed} rows in ${round(pruneSeconds, 1)} s: ${Math.round(removed / pruneSeconds)} rows/s, ${report.rolledUpDays} days rolled up, ${BATCH} rows a statement |`);
    console.log(`| stats p95 idle | ${idleP.p95} ms (p50 ${idleP.p50}, ${idle.length} queries) |`);
    console.log(`| stats p95 during prune | ${duringP.p95} ms (p50 ${duringP.p50}, ${during.length} queries) |`);
    console.log(`| year chart after prune | ${chartAfter.buckets.length} day buckets, same as before: ${rates(chartAfter) === rates(chartBefore)} |`);
  } finally {
    await database.close();
    if (process.env.BENCH_KEEP !== '1') await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
