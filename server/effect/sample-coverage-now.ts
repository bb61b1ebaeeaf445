import 'server-only';
import type { Actor } from '@/lib/api/auth';
import type { CoverageSample } from '@/lib/api/effect';
import { recordAudit } from '../audit/record-audit';
import type { ClientInfo } from '../auth/client-info';
import type { Database } from '../db/client';
import type { CoverageSampler } from './coverage-sampler';
import { getCoverageSamples } from './coverage-queries';

/** An operator's "sample now": the new samples, audited as `coverage.sample`. */
export async function sampleCoverageNow(
  runtime: { database: Database; coverage: CoverageSampler },
  request: { strategies?: string[] },
  actor: Actor,
  client: ClientInfo,
): Promise<{ samples: CoverageSample[] }> {
  const ids = await runtime.coverage.sampleNow(request.strategies);
  const samples = await getCoverageSamples(runtime.database, ids);
  await recordAudit(runtime.database.db, {
    actor,
    action: 'coverage.sample',
    target: request.strategies ? `strategies:${request.strategies.join(',')}` : 'strategies:enabled',
    after: { samples: samples.map((s) => ({ strategy: s.strategy, present: s.present, sampled: s.sampled })) },
    ...client,
  });
  return { samples };
}
