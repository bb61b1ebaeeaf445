import { GOVERNOR_PROFILES, type GovernorProfile } from '@/lib/api/governor';

/** What each governor profile does, in one line (the trigger dialog and the schedule form say it). */
export const PROFILE_LABELS: Record<GovernorProfile, string> = {
  fixed: 'fixed: always the concurrency',
  gentle: 'gentle: batch latency within 2x its idle baseline',
  max: 'max: up to the concurrency, backs off only on errors',
};

export function GovernorProfileOptions() {
  return (
    <>
      {GOVERNOR_PROFILES.map((p) => (
        <option key={p} value={p}>
          {PROFILE_LABELS[p]}
        </option>
      ))}
    </>
  );
}
