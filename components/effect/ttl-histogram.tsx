import type { CoverageSample, TtlBucket } from '@/lib/api/effect';
import { formatCount } from '@/lib/ui/format';
import { describeTtlHistogram, mostlyLeft, ttlBucketLabel } from '@/lib/ui/coverage';

// Keys about to expire stand out; keys that outlive the strategy's TTL are set apart.
const FILL: Record<TtlBucket, string> = {
  '0-10%': 'bg-warn',
  '10-25%': 'bg-accent/70',
  '25-50%': 'bg-accent/80',
  '50-75%': 'bg-accent/90',
  '75-100%': 'bg-accent',
  over_ttl: 'bg-muted',
  no_expiry: 'bg-muted',
};

/**
 * How long the present keys have left, as a share of the strategy's TTL: one column per bucket,
 * soonest to expire on the left. Compact in a table row; with labels and counts in the run detail.
 */
export function TtlHistogram({ histogram, size = 'compact' }: { histogram: CoverageSample['ttlHistogram']; size?: 'compact' | 'full' }) {
  const max = Math.max(1, ...histogram.map((b) => b.keys));
  const label = describeTtlHistogram(histogram);
  if (size === 'compact') {
    return (
      <div className="flex items-center gap-2">
        <div role="img" aria-label={label} title={label} className="flex h-5 items-end gap-0.5 border-b border-muted/60" data-testid="ttl-histogram">
          {histogram.map((b) => (
            <div key={b.bucket} className={`w-2 ${FILL[b.bucket]}`} style={{ height: b.keys ? `${Math.max(15, (b.keys / max) * 100)}%` : 0 }} />
          ))}
        </div>
        <span aria-hidden className="text-xs text-muted">
          {mostlyLeft(histogram)}
        </span>
      </div>
    );
  }
  return (
    <figure className="min-w-0" data-testid="ttl-histogram">
      <div role="img" aria-label={label} className="grid grid-cols-7 items-end gap-1 border-b border-muted/60">
        {histogram.map((b) => (
          <div key={b.bucket} className="flex h-14 flex-col items-center justify-end gap-0.5">
            <span className="text-[11px] leading-none tabular-nums text-muted">{b.keys ? formatCount(b.keys) : ''}</span>
            <div className={`w-full rounded-t-sm ${FILL[b.bucket]}`} style={{ height: b.keys ? `${Math.max(6, (b.keys / max) * 70)}%` : 0 }} />
          </div>
        ))}
      </div>
      <figcaption aria-hidden className="mt-1 grid grid-cols-7 gap-1 text-center text-[10px] leading-tight text-muted">
        {histogram.map((b) => (
          <span key={b.bucket}>{ttlBucketLabel(b.bucket)}</span>
        ))}
      </figcaption>
    </figure>
  );
}
