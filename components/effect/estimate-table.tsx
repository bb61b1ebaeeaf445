import type { RunEstimate } from '@/lib/api/effect';
import { durationBasis, estimateDuration, estimateKeys, estimateMemory, keysBasis, memoryBasis } from '@/lib/ui/estimate';
import { formatBytes, formatCount, formatDuration, formatSeconds, humanize } from '@/lib/ui/format';
import { TableScroll } from '../ui/table-scroll';

const HEAD = 'px-3 py-2 text-left text-xs font-medium text-muted';
const NUM = 'px-3 py-1.5 text-right tabular-nums';

/**
 * What a run would do, per strategy in the order it would warm them, and in total: keys, expected
 * duration (from the strategy's recent runs) and cache memory. Each figure says where it comes from.
 */
export function EstimateTable({ estimate }: { estimate: RunEstimate }) {
  const { total } = estimate;
  return (
    <TableScroll>
      <table className="w-full text-sm" data-testid="estimate-table">
        <thead className="border-b border-border">
          <tr>
            <th scope="col" className={HEAD}>Strategy</th>
            <th scope="col" className={`${HEAD} text-right`}>Keys</th>
            <th scope="col" className={`${HEAD} text-right`}>Expected duration</th>
            <th scope="col" className={`${HEAD} text-right`}>Cache memory</th>
          </tr>
        </thead>
        <tbody>
          {estimate.strategies.map((s) => (
            <tr key={s.strategy} className="border-b border-border align-top" data-testid={`estimate-${s.strategy}`}>
              <th scope="row" className="px-3 py-1.5 text-left font-medium">
                {humanize(s.strategy)}
                <div className="text-xs font-normal text-muted">TTL {formatSeconds(s.ttlSeconds)}</div>
                {s.error ? (
                  <div role="alert" className="text-xs font-normal text-bad">
                    {s.error}
                  </div>
                ) : null}
              </th>
              <td className={NUM}>
                <span data-testid="estimate-keys">{estimateKeys(s.keys)}</span>
                <Basis>{keysBasis(s.keys)}</Basis>
              </td>
              <td className={NUM}>
                <span className="whitespace-nowrap">{estimateDuration(s.duration)}</span>
                <Basis>{durationBasis(s.duration)}</Basis>
              </td>
              <td className={NUM}>
                <span className="whitespace-nowrap">{estimateMemory(s.memory)}</span>
                <Basis>{memoryBasis(s.memory)}</Basis>
              </td>
            </tr>
          ))}
          {total.overheadMs !== null && total.overheadMs !== undefined ? (
            <tr className="border-b border-border align-top" data-testid="estimate-overhead">
              <th scope="row" className="px-3 py-1.5 text-left font-medium">
                Run overhead
                <div className="text-xs font-normal text-muted">starting the run, handing out its work, saving its results</div>
              </th>
              <td className={NUM}>—</td>
              <td className={NUM}>
                <span data-testid="estimate-overhead-ms">{formatDuration(Math.max(1, total.overheadMs))}</span>
                <Basis>median of the last runs beyond their strategies</Basis>
              </td>
              <td className={NUM}>—</td>
            </tr>
          ) : null}
        </tbody>
        <tfoot>
          <tr className="bg-subtle/60 font-medium" data-testid="estimate-total">
            <th scope="row" className="px-3 py-2 text-left">
              Total
              {estimate.strategies.length > 1 ? <div className="text-xs font-normal text-muted">{estimate.strategies.length} strategies, one after another</div> : null}
            </th>
            <td className={NUM} data-testid="estimate-total-keys">
              {estimate.strategies.some((s) => !s.keys.exact) ? '≥ ' : ''}
              {formatCount(total.keys)}
            </td>
            <td className={NUM} data-testid="estimate-total-ms">
              {total.expectedMs === null ? 'unknown' : `${total.durationComplete ? 'about' : 'at least'} ${formatDuration(Math.max(1, total.expectedMs))}`}
            </td>
            <td className={NUM}>{total.bytes === null ? 'unknown' : `${total.memoryComplete ? '' : 'at least '}${formatBytes(total.bytes)}`}</td>
          </tr>
        </tfoot>
      </table>
    </TableScroll>
  );
}

function Basis({ children }: { children: string }) {
  return <div className="text-xs font-normal text-muted">{children}</div>;
}
