import type { StrategyEstimate } from '@/lib/api/effect';
import { formatBytes, formatCount, formatDuration } from './format';

/** "26", or "≥ 200,000" when the listing stopped at its bound. */
export function estimateKeys(keys: StrategyEstimate['keys']): string {
  return keys.exact ? formatCount(keys.count) : `≥ ${formatCount(keys.count)}`;
}

/** Where the key count comes from, in words. */
export function keysBasis(keys: StrategyEstimate['keys']): string {
  const basis = { count_keys: 'the strategy’s own count', listing: 'a dry listing', dry_run: 'counted by the dry run' }[keys.basis];
  return keys.exact ? basis : `${basis}, cut off at its bound`;
}

/** "about 2.3 s", or "unknown" for a strategy that has no full run to learn its speed from. */
export function estimateDuration(duration: StrategyEstimate['duration']): string {
  return duration.expectedMs === null ? 'unknown' : `about ${formatDuration(Math.max(1, duration.expectedMs))}`;
}

export function durationBasis(duration: StrategyEstimate['duration']): string {
  if (duration.expectedMs === null || duration.keysPerSecond === null) return 'no full run yet to learn its speed';
  return `${formatCount(duration.keysPerSecond)} keys/s in its last ${duration.runs === 1 ? 'run' : `${duration.runs} runs`}`;
}

/** "74 KB", or "unknown" when nothing could be measured. */
export function estimateMemory(memory: StrategyEstimate['memory']): string {
  return memory.bytes === null ? 'unknown' : formatBytes(memory.bytes);
}

export function memoryBasis(memory: StrategyEstimate['memory']): string {
  if (memory.bytesPerKey === null) return 'nothing could be measured';
  const per = `${formatBytes(memory.bytesPerKey)} a key`;
  if (memory.basis === 'memory_usage') return `${per}, ${formatCount(memory.sampled)} cached ${memory.sampled === 1 ? 'key' : 'keys'} measured`;
  return `${per}, from ${formatCount(memory.sampled)} loaded ${memory.sampled === 1 ? 'value' : 'values'} (no cache overhead)`;
}
