import Link from 'next/link';
import type { CoverageSample } from '@/lib/api/effect';
import { coverageTone, formatCoverage } from '@/lib/ui/coverage';
import { formatCount, humanize } from '@/lib/ui/format';
import { LocalTime } from '../ui/local-time';
import { Badge } from '../ui/status-badge';
import { TtlHistogram } from './ttl-histogram';
import { TableScroll } from '../ui/table-scroll';

export type CoverageRow = { strategy: string; enabled: boolean; sample: CoverageSample | null };

const HEAD = 'px-3 py-2 text-left text-xs font-medium text-muted';
const NUM = 'px-3 py-2 text-right tabular-nums';
const BAR: Record<string, string> = { ok: 'bg-ok', warn: 'bg-warn', bad: 'bg-bad', muted: 'bg-muted' };
const TEXT: Record<string, string> = { ok: '', warn: 'text-warn', bad: 'text-bad', muted: 'text-muted' };

/**
 * Per strategy: the share of its warm set found in the cache, how many keys were checked of how
 * many it has, how long the present ones have left, and when and why the sample was taken.
 */
export function CoverageTable({ rows, histogram = 'compact', showOrigin = true }: { rows: CoverageRow[]; histogram?: 'compact' | 'full'; showOrigin?: boolean }) {
  return (
    <TableScroll>
      <table className="w-full min-w-[56rem] text-sm" data-testid="coverage-table">
        <thead className="border-b border-border">
          <tr>
            <th scope="col" className={`${HEAD} w-44`}>Strategy</th>
            <th scope="col" className={`${HEAD} w-64`}>In the cache</th>
            <th scope="col" className={`${HEAD} w-36 text-right`}>Present / checked</th>
            <th scope="col" className={`${HEAD} w-28 text-right`}>Warm set</th>
            <th scope="col" className={`${HEAD} ${histogram === 'full' ? 'w-96' : 'w-60'} pl-8`}>Remaining TTL</th>
            <th scope="col" className={HEAD}>Sampled</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ strategy, enabled, sample }) => (
            <tr key={strategy} className="border-b border-border last:border-0" data-testid={`coverage-${strategy}`}>
              <td className="px-3 py-2 font-medium whitespace-nowrap">{humanize(strategy)}</td>
              {sample ? (
                <>
                  <td className="px-3 py-2">
                    <CoverageBar sample={sample} />
                  </td>
                  <td className={NUM} data-testid="coverage-present">
                    {formatCount(sample.present)} / {formatCount(sample.sampled)}
                  </td>
                  <td className={NUM}>{formatCount(sample.warmSetSize)}</td>
                  <td className="py-2 pr-3 pl-8">
                    {sample.present > 0 ? <TtlHistogram histogram={sample.ttlHistogram} size={histogram} /> : <span className="text-xs text-muted">no key present</span>}
                  </td>
                  <td className="px-3 py-2 text-xs whitespace-nowrap">
                    <LocalTime iso={sample.sampledAt} relative={showOrigin} />
                    {showOrigin ? <Origin sample={sample} /> : null}
                    {sample.evictionWarning ? (
                      <span className="ml-2">
                        <Badge tone="warn">{sample.evictionsSincePrevious ? `${formatCount(sample.evictionsSincePrevious)} evicted` : 'evictions'}</Badge>
                      </span>
                    ) : null}
                  </td>
                </>
              ) : (
                <td colSpan={5} className="px-3 py-2 text-xs text-muted">
                  {enabled ? 'Not sampled yet: it is sampled after its next run, or with Sample now.' : 'Disabled: not sampled until it is enabled.'}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}

function CoverageBar({ sample }: { sample: CoverageSample }) {
  const tone = coverageTone(sample.coverage);
  const percent = sample.coverage === null ? 0 : Math.round(sample.coverage * 1000) / 10;
  return (
    <div className="flex items-center gap-2">
      <div
        role="meter"
        aria-label={`${humanize(sample.strategy)}: share of the warm set in the cache`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={formatCoverage(sample)}
        className="h-2 w-24 shrink-0 overflow-hidden rounded-full bg-subtle"
      >
        <div className={`h-full ${BAR[tone]}`} style={{ width: `${percent}%` }} />
      </div>
      <span className={`text-sm font-medium tabular-nums whitespace-nowrap ${TEXT[tone]}`} data-testid="coverage-value">
        {sample.coverage === null ? 'empty warm set' : formatCoverage(sample)}
      </span>
    </div>
  );
}

function Origin({ sample }: { sample: CoverageSample }) {
  if (!sample.runId) return <span className="text-muted"> · between runs</span>;
  return (
    <>
      <span className="text-muted"> · after </span>
      <Link href={`/runs/${sample.runId}`} className="font-mono text-accent hover:underline">
        run {sample.runId.slice(0, 8)}
      </Link>
    </>
  );
}
