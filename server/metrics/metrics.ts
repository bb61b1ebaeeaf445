import 'server-only';
import { sql } from 'drizzle-orm';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Cache } from '../cache/cache';
import type { Database } from '../db/client';
import type { ShopSource } from '../db/shop-source';
import { workers } from '../db/schema';
import type { RunSummary } from '../warmup/run-records';
import { WORKER_GONE_SECONDS } from '../warmup/run-watchdog';
import { queueDepth } from '../workers/list-workers';
import type PgBoss from 'pg-boss';
import { ALERT_RULES } from '@/lib/api/alerts';

export type MetricsDeps = {
  database: Database;
  cache: Cache;
  /** The job engine, for the queue's depth (absent: no queue metrics). */
  boss?: PgBoss;
  /** The read replica's lag guard (absent or without a replica: no replica metrics). */
  shopSource?: ShopSource;
};

export type Metrics = {
  registry: Registry;
  /** Records a run this process finished (duration histogram). */
  observeRun: (summary: RunSummary) => void;
  /** Counts a request refused before it had a valid credential (nothing is written per request). */
  countRefusal: (reason: string) => void;
  /** Counts one alert delivery attempt by this process. */
  countAlertDelivery: (kind: string, ok: boolean) => void;
  render: () => Promise<string>;
  contentType: string;
};

/**
 * Figures read from Postgres at scrape time are the cluster's, the same from every replica: they
 * carry `scope="cluster"`, and a query takes them with `max without (instance, pod)` (or from one
 * replica), never `sum` (which would multiply them by the number of replicas). Everything without
 * the label is this process's own and sums across replicas: the process metrics (standard names),
 * kiln_run_duration_seconds, kiln_alert_deliveries_total, kiln_refused_requests_total, and
 * kiln_cache_up / kiln_database_up (each process's own view of its connections).
 */
const CLUSTER = { scope: 'cluster' } as const;

/**
 * Prometheus metrics of one process (see CLUSTER above for which figures are the cluster's).
 */
export function createMetrics(deps: MetricsDeps): Metrics {
  const registry = new Registry();
  // Standard names (process_cpu_seconds_total, nodejs_heap_size_used_bytes...): Node.js dashboards find them.
  collectDefaultMetrics({ register: registry });

  new Counter({
    name: 'kiln_runs_finished_total',
    help: 'Warmup runs that have ended, by final status (dry runs excluded); read from the database: scope="cluster"',
    labelNames: ['status', 'scope'],
    registers: [registry],
    async collect() {
      // With the database down the last values stay; kiln_database_up says why they do not move.
      const rows = await deps.database
        .rows<{ status: string; n: number }>(sql`select status, count(*)::float8 as n from runs where not dry_run and status <> 'running' group by status`)
        .catch(() => null);
      if (!rows) return;
      this.reset();
      for (const status of ['succeeded', 'partial', 'failed', 'cancelled', 'abandoned']) this.inc({ status, ...CLUSTER }, rows.find((r) => r.status === status)?.n ?? 0);
    },
  });

  new Gauge({
    name: 'kiln_runs_running',
    help: 'Warmup runs running now (dry runs excluded); scope="cluster"',
    labelNames: ['scope'],
    registers: [registry],
    async collect() {
      const rows = await deps.database.rows<{ n: number }>(sql`select count(*)::float8 as n from runs where not dry_run and status = 'running'`).catch(() => null);
      if (rows) this.set(CLUSTER, rows[0]?.n ?? 0);
    },
  });

  new Counter({
    name: 'kiln_keys_total',
    help: 'Keys processed by all recorded runs, by outcome (dry runs excluded); scope="cluster"',
    labelNames: ['outcome', 'scope'],
    registers: [registry],
    async collect() {
      const rows = await deps.database
        .rows<{ warmed: number; skipped: number; failed: number }>(sql`
          select coalesce(sum(warmed), 0)::float8 as warmed, coalesce(sum(skipped), 0)::float8 as skipped,
                 coalesce(sum(failed), 0)::float8 as failed
          from runs where not dry_run`)
        .catch(() => null);
      const row = rows?.[0];
      if (!row) return;
      this.reset();
      for (const outcome of ['warmed', 'skipped', 'failed'] as const) this.inc({ outcome, ...CLUSTER }, row[outcome]);
    },
  });

  new Counter({
    name: 'kiln_schedule_fires_total',
    help: 'Schedule slots claimed, by outcome (started, skipped_overlap, skipped_busy, missed, error); scope="cluster"',
    labelNames: ['outcome', 'scope'],
    registers: [registry],
    async collect() {
      const rows = await deps.database.rows<{ outcome: string; n: number }>(sql`select outcome::text as outcome, count(*)::float8 as n from schedule_fires group by outcome`).catch(() => null);
      if (!rows) return;
      this.reset();
      for (const outcome of ['started', 'skipped_overlap', 'skipped_busy', 'missed', 'error']) this.inc({ outcome, ...CLUSTER }, rows.find((r) => r.outcome === outcome)?.n ?? 0);
    },
  });

  new Gauge({
    name: 'kiln_alert_incidents_open',
    help: 'Open alert incidents, by rule and severity (run_late: runs running late; schedule_missed: schedules with a missed slot); scope="cluster"',
    labelNames: ['rule', 'severity', 'scope'],
    registers: [registry],
    async collect() {
      const rows = await deps.database.rows<{ rule: string; severity: string; n: number }>(sql`select rule, severity, count(*)::float8 as n from alert_incidents where status = 'open' group by rule, severity`).catch(() => null);
      if (!rows) return;
      this.reset();
      for (const rule of ALERT_RULES) {
        for (const severity of ['critical', 'warning']) this.set({ rule, severity, ...CLUSTER }, rows.find((r) => r.rule === rule && r.severity === severity)?.n ?? 0);
      }
    },
  });

  const duration = new Histogram({
    name: 'kiln_run_duration_seconds',
    help: 'Duration of the warmup runs this process finished, by final status',
    labelNames: ['status'],
    buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800],
    registers: [registry],
  });

  new Gauge({
    name: 'kiln_loads_in_flight',
    help: 'Loads in flight now, over every running shard (as their workers publish it twice a second); scope="cluster"',
    labelNames: ['scope'],
    registers: [registry],
    async collect() {
      const rows = await deps.database
        .rows<{ n: number }>(sql`select coalesce(sum((progress->>'inFlight')::int), 0)::int as n from run_shards where status = 'running'`)
        .catch(() => null);
      if (rows) this.set(CLUSTER, rows[0]?.n ?? 0);
    },
  });

  // The fleet, from what each worker reports in Postgres: every replica exports the same figures,
  // so a dashboard takes them from any one replica (max, not sum, across replicas).
  const fleet = async () =>
    deps.database.db
      .select({ id: workers.id, host: workers.host, pid: workers.pid, busy: workers.busy, slots: workers.slots, keysPerSecond: workers.keysPerSecond, alive: sql<boolean>`${workers.lastSeenAt} > now() - make_interval(secs => ${WORKER_GONE_SECONDS})` })
      .from(workers)
      .where(sql`${workers.state} = 'running' and ${workers.lastSeenAt} > now() - interval '1 hour'`)
      .catch(() => null);
  new Gauge({
    name: 'kiln_workers',
    help: 'Worker processes reporting in the last hour, by whether they are alive (reported within 15 s)',
    labelNames: ['alive', 'scope'],
    registers: [registry],
    async collect() {
      const rows = await fleet();
      if (!rows) return;
      this.set({ alive: 'true', ...CLUSTER }, rows.filter((r) => r.alive).length);
      this.set({ alive: 'false', ...CLUSTER }, rows.filter((r) => !r.alive).length);
    },
  });
  for (const [name, help, read] of [
    ['kiln_worker_keys_per_second', 'Keys a live worker warmed per second over its last 10 s, by worker (host:pid)', (w: { keysPerSecond: number }) => w.keysPerSecond],
    ['kiln_worker_busy_slots', 'Shards a live worker is warming now, by worker (host:pid)', (w: { busy: number }) => w.busy],
  ] as const) {
    new Gauge({
      name,
      help,
      labelNames: ['worker', 'scope'],
      registers: [registry],
      async collect() {
        const rows = await fleet();
        if (!rows) return;
        this.reset();
        for (const r of rows.filter((w) => w.alive)) this.set({ worker: `${r.host}:${r.pid}`, ...CLUSTER }, read(r as never));
      },
    });
  }
  if (deps.boss) {
    const boss = deps.boss;
    new Gauge({
      name: 'kiln_queue_shards',
      help: 'Shards in the job queue, by state: queued (waiting for a worker), active, retrying (after a worker died or failed)',
      labelNames: ['state', 'scope'],
      registers: [registry],
      async collect() {
        const depth = await queueDepth(boss).catch(() => null);
        if (!depth) return;
        for (const state of ['queued', 'active', 'retrying'] as const) this.set({ state, ...CLUSTER }, depth[state]);
      },
    });
  }

  new Gauge({
    name: 'kiln_cache_up',
    help: '1 when the cache answers, 0 when it does not',
    registers: [registry],
    async collect() {
      this.set((await deps.cache.health()).ok ? 1 : 0);
    },
  });

  new Gauge({
    name: 'kiln_database_up',
    help: '1 when the database answers, 0 when it does not',
    registers: [registry],
    async collect() {
      this.set((await deps.database.health()).ok ? 1 : 0);
    },
  });

  const shopSource = deps.shopSource;
  if (shopSource?.replica) {
    new Gauge({
      name: 'kiln_replica_up',
      help: '1 when the read replica answers and is within its lag bound, 0 when runs load from the primary instead',
      registers: [registry],
      async collect() {
        this.set((await shopSource.check()).state === 'ok' ? 1 : 0);
      },
    });
    new Gauge({
      name: 'kiln_replica_lag_bytes',
      help: "The read replica's replay lag in bytes of WAL behind the shop's primary (last measurement)",
      registers: [registry],
      collect() {
        const status = shopSource.status();
        if ('lagBytes' in status) this.set(status.lagBytes);
      },
    });
  }

  const refused = new Counter({
    name: 'kiln_refused_requests_total',
    help: 'Requests refused without a valid credential (no, unknown, revoked or expired credential; failed or throttled sign-ins), by reason',
    labelNames: ['reason'],
    registers: [registry],
  });

  const deliveries = new Counter({
    name: 'kiln_alert_deliveries_total',
    help: 'Alert delivery attempts this process made, by channel kind and result',
    labelNames: ['kind', 'result'],
    registers: [registry],
  });

  return {
    registry,
    countRefusal: (reason) => refused.inc({ reason }),
    countAlertDelivery: (kind, ok) => deliveries.inc({ kind, result: ok ? 'ok' : 'failed' }),
    observeRun: (summary) => {
      if (!summary.strategies.every((s) => s.dryRun)) duration.observe({ status: summary.status }, summary.totals.durationMs / 1000);
    },
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
