import type { EffectSample } from '@/lib/api/used';
import { formatCount, humanize } from '@/lib/ui/format';
import { wilsonInterval } from '@/lib/wilson';
import { LocalTime } from '../ui/local-time';
import { TableScroll } from '../ui/table-scroll';

const HEAD = 'px-3 py-2 text-left text-xs font-medium text-muted';
const NUM = 'px-3 py-2 text-right tabular-nums';

export type UsedRow = { key: string; strategy: string; label?: string; warmed: number | null; sample: EffectSample };

const CHECKPOINT: Record<string, string> = { end: 'at the end', '10m': '10 min after', '1h': '1 h after', half_ttl: 'half the TTL after' };

/** A share of the sample with its 95% Wilson interval, as "42% (36–48)". */
function Share({ k, n }: { k: number; n: number }) {
  const w = wilsonInterval(k, n);
  if (!w) return <span className="text-muted">–</span>;
  return (
    <span>
      {Math.round(w.share * 100)}%<span className="ml-1 text-xs text-muted">({Math.round(w.low * 100)}–{Math.round(w.high * 100)})</span>
    </span>
  );
}

/**
 * Per strategy (or checkpoint): warmed keys, and of the checked sample the shares used (read by the
 * shop since the write), unread ("wasted" so far), gone (expired or evicted) and unknown, each with
 * its 95% interval.
 */
export function UsedTable({ rows }: { rows: UsedRow[] }) {
  return (
    <TableScroll>
      <table className="w-full text-sm" data-testid="used-table">
        <thead className="border-b border-border">
          <tr>
            <th scope="col" className={HEAD}>Strategy</th>
            <th scope="col" className={`${HEAD} text-right`}>Warmed</th>
            <th scope="col" className={`${HEAD} text-right`}>Used</th>
            <th scope="col" className={`${HEAD} text-right`}>Unread</th>
            <th scope="col" className={`${HEAD} text-right`}>Gone</th>
            <th scope="col" className={`${HEAD} text-right`}>Unknown</th>
            <th scope="col" className={HEAD}>Checked</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ key, strategy, label, warmed, sample }) => (
            <tr key={key} className="border-b border-border last:border-0" data-testid={`used-${key}`} title={sample.note ?? undefined}>
              <td className="px-3 py-2 font-medium whitespace-nowrap">{label ?? humanize(strategy)}</td>
              <td className={NUM}>{warmed === null ? '–' : formatCount(warmed)}</td>
              <td className={NUM} data-testid="used-share">
                <Share k={sample.used} n={sample.sampled} />
              </td>
              <td className={NUM}>
                <Share k={sample.unread} n={sample.sampled} />
              </td>
              <td className={NUM}>
                <Share k={sample.gone} n={sample.sampled} />
              </td>
              <td className={`${NUM} text-muted`}>{sample.unknown > 0 ? `${formatCount(sample.unknown)} of ${formatCount(sample.sampled)}` : '0'}</td>
              <td className="px-3 py-2 text-xs whitespace-nowrap text-muted">
                {CHECKPOINT[sample.checkpoint] ?? sample.checkpoint}, <LocalTime iso={sample.sampledAt} relative /> · {formatCount(sample.sampled)} keys · {sample.method === 'freq' ? 'LFU counters' : sample.method === 'idletime' ? 'idle times' : 'cannot tell'} ({sample.policy})
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}

export const USED_EXPLAINER =
  'Of a sample of the keys each run warmed, read from Redis without touching them: used (the shop read it since Kiln wrote it), unread (warmed for nothing so far), gone (expired or evicted), unknown (re-warmed since, or an LFU counter that has decayed). In brackets: the 95% interval for the sample size.';
