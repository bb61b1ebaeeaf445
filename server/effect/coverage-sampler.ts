import 'server-only';
import { sql } from 'drizzle-orm';
import { BackgroundWork } from '../background-work';
import { withTryAdvisoryLock } from '../db/advisory-lock';
import { AppError } from '../errors';
import type { RunSummary } from '../warmup/run-records';
import type { StrategyRegistry } from '../warmup/registry';
import { resolveStrategies } from '../warmup/settings';
import type { ResolvedStrategy } from '../warmup/strategy';
import { type CoverageDeps, sampleCoverage } from './sample-coverage';

// Any fixed number; the same in every Kiln process (the migration lock is 7_283_501).
const PERIODIC_SAMPLE_LOCK_ID = 7_283_502;

export type CoverageSamplerDeps = CoverageDeps & { registry: StrategyRegistry; intervalMs: number };

/**
 * Takes the coverage samples: right after each run this process finishes (of the run's
 * strategies, tagged with the run), on demand, and every `intervalMs` (of every enabled strategy).
 * The periodic sample is taken by one process of all the replicas: under a Postgres advisory lock,
 * and only when no sample newer than most of an interval exists, so replicas whose timers fire
 * at different moments do not each take one.
 */
export class CoverageSampler {
  readonly #deps: CoverageSamplerDeps;
  readonly #work = new BackgroundWork();

  constructor(deps: CoverageSamplerDeps) {
    this.#deps = deps;
  }

  get intervalMs(): number {
    return this.#deps.intervalMs;
  }

  /** Samples the strategies of a run that just ended (its hook; never throws). Dry runs wrote nothing: not sampled. */
  afterRun(summary: RunSummary): void {
    const names = summary.strategies.filter((s) => !s.dryRun).map((s) => s.strategy);
    if (this.#work.stopped || names.length === 0) return;
    void this.#work.track(
      this.#resolve(names)
        .then((strategies) => sampleCoverage(this.#deps, strategies, { runId: summary.runId }))
        .catch((error: unknown) => this.#deps.logger?.warn({ err: error, runId: summary.runId }, 'Sampling the coverage after a run failed')),
    );
  }

  /** Samples now: the named strategies, or every enabled one. Resolves with the new samples' ids. */
  async sampleNow(names?: readonly string[]): Promise<number[]> {
    const all = await resolveStrategies(this.#deps.database, this.#deps.registry);
    let chosen: ResolvedStrategy[];
    if (names) {
      const unknown = names.filter((n) => !all.some((s) => s.name === n));
      if (unknown.length) {
        throw new AppError('invalid_request', `Unknown strategy: ${unknown.join(', ')} (known: ${all.map((s) => s.name).join(', ')})`, { field: 'strategies' });
      }
      chosen = all.filter((s) => names.includes(s.name));
    } else {
      chosen = all.filter((s) => s.enabled);
    }
    const work = sampleCoverage(this.#deps, chosen);
    void this.#work.track(work.catch(() => {}));
    return work;
  }

  /**
   * The periodic job once: takes the sample if this process gets the lock and no recent periodic
   * sample exists (old samples go by their retention policy, server/retention). Resolves with whether it sampled.
   */
  async samplePeriodically(now = new Date()): Promise<boolean> {
    const { database } = this.#deps;
    const outcome = await withTryAdvisoryLock(database, PERIODIC_SAMPLE_LOCK_ID, async () => {
      const since = new Date(now.getTime() - this.#deps.intervalMs * 0.9).toISOString();
      const [recent] = await database.rows<{ n: number }>(
        sql`select count(*)::int as n from coverage_samples where run_id is null and sampled_at > ${since}::timestamptz`,
      );
      if ((recent?.n ?? 0) > 0) return false;
      const enabled = (await resolveStrategies(database, this.#deps.registry)).filter((s) => s.enabled);
      await sampleCoverage(this.#deps, enabled, { now });
      // Old samples and read counts go by their retention policies (server/retention).
      return true;
    });
    return !outcome.skipped && outcome.result;
  }

  /** Starts the periodic job (first one after a minute: the start-up warmup has its after-run sample). */
  start(firstAfterMs = 60_000): void {
    this.#work.every(firstAfterMs, this.#deps.intervalMs, () =>
      this.samplePeriodically().catch((error: unknown) => this.#deps.logger?.warn({ err: error }, 'The periodic coverage sample failed')),
    );
  }

  /** Resolves when the samples under way have been stored. */
  idle(): Promise<void> {
    return this.#work.idle();
  }

  /** Stops the periodic job and waits for the samples under way. */
  stop(): Promise<void> {
    return this.#work.stop();
  }

  async #resolve(names: readonly string[]): Promise<ResolvedStrategy[]> {
    const all = await resolveStrategies(this.#deps.database, this.#deps.registry);
    return all.filter((s) => names.includes(s.name));
  }
}
