import { z } from 'zod';

/** How a run's loads in flight are steered (server/warmup/governor.ts explains each). */
export const GOVERNOR_PROFILES = ['fixed', 'gentle', 'max'] as const;
export type GovernorProfile = (typeof GOVERNOR_PROFILES)[number];
export const governorProfileSchema = z.enum(GOVERNOR_PROFILES, { error: 'expected one of fixed, gentle, max' });

/** One sample of a shard's governor, as GET /api/runs/{id}/governor answers it. */
export type GovernorSample = {
  at: string;
  strategy: string;
  shard: number;
  concurrency: number;
  ceiling: number;
  batchMs: number | null;
  writeMs: number | null;
  baselineMs: number | null;
  keysPerSecond: number;
  reason: string;
};

export type RunGovernor = {
  profile: GovernorProfile;
  samples: GovernorSample[];
  /** At most this many samples are kept per run (one per shard every 2 s at most). */
  limit: number;
};
