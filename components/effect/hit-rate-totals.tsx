import type { HitRate } from '@/lib/api/effect';
import { formatCount, formatRate, humanize } from '@/lib/ui/format';
import { orderedTotals } from '@/lib/ui/hit-rate-series';
import { familyColor } from './hit-rate-charts';
import { TableScroll } from '../ui/table-scroll';

const HEAD = 'px-3 py-2 text-left text-xs font-medium text-muted';
const NUM = 'px-3 py-1.5 text-right tabular-nums';

/**
 * Over the range, per key family and for all reads: reads, hit rate, the queries the misses
 * really cost, and the queries the hits avoided (hits × the queries a miss costs) beside them.
 */
export function HitRateTotals({ data }: { data: HitRate }) {
  const info = new Map(data.families.map((f) => [f.family as string, f]));
  return (
    <TableScroll>
      <table className="w-full text-sm" data-testid="hit-rate-totals">
        <thead className="border-b border-border">
          <tr>
            <th scope="col" className={HEAD}>Key family</th>
            <th scope="col" className={HEAD}>Warmed by</th>
            <th scope="col" className={`${HEAD} text-right`}>Reads</th>
            <th scope="col" className={`${HEAD} text-right`}>Hits</th>
            <th scope="col" className={`${HEAD} text-right`}>Hit rate</th>
            <th scope="col" className={`${HEAD} text-right`}>Queries misses cost</th>
            <th scope="col" className={`${HEAD} text-right`}>Queries avoided</th>
            <th scope="col" className={`${HEAD} text-right`}>Database load saved</th>
          </tr>
        </thead>
        <tbody>
          {orderedTotals(data).map((t) => {
            const family = info.get(t.family);
            const all = t.family === 'all';
            return (
              <tr key={t.family} className={`border-b border-border last:border-0 ${all ? 'bg-subtle/60 font-medium' : ''}`} data-testid={`hit-rate-${t.family}`}>
                <th scope="row" className="px-3 py-1.5 text-left font-medium">
                  <span className="flex items-center gap-2">
                    <span aria-hidden className="inline-block h-2 w-3 rounded-sm" style={{ background: familyColor(t.family) }} />
                    {all ? 'All reads' : t.family}
                  </span>
                </th>
                <td className="px-3 py-1.5 text-xs text-muted" title={family?.keyPatterns.join(', ')}>
                  {family ? family.strategies.map(humanize).join(', ') : ''}
                </td>
                <td className={NUM} data-testid="reads">{formatCount(t.reads)}</td>
                <td className={NUM} data-testid="hits">{formatCount(t.hits)}</td>
                <td className={NUM} data-testid="hit-rate">{t.hitRate === null ? '–' : formatRate(t.hitRate)}</td>
                <td className={NUM} data-testid="db-queries">{formatCount(t.dbQueries)}</td>
                <td className={`${NUM} text-ok`} data-testid="db-queries-avoided">{formatCount(t.dbQueriesAvoided)}</td>
                <td className={NUM}>{t.dbLoadSaved === null ? '–' : formatRate(t.dbLoadSaved)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableScroll>
  );
}
