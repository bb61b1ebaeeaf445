'use client';

import type { StrategyCoverage } from '@/lib/api/schedules';
import { formatDuration, formatRate, formatSeconds, humanize } from '@/lib/ui/format';
import { useScheduleCoverageQuery } from '../api/schedules';
import { Can } from '../shell/role';
import { Button } from '../ui/button';
import { LocalTime } from '../ui/local-time';
import { Panel } from '../ui/panel';
import { QueryState } from '../ui/state-panel';
import { TableScroll } from '../ui/table-scroll';

const HEAD = 'px-3 py-2 text-left text-xs font-medium text-muted';

/**
 * What the schedules leave uncovered: a run keeps a strategy's keys for its TTL, so wherever
 * scheduled runs are further apart than that, the shop reads from the database. Per strategy, the
 * share of the coming week covered, the longest gap, and a schedule that would close the gaps.
 */
export function CoveragePanel({ onUse }: { onUse: (coverage: StrategyCoverage) => void }) {
  const coverage = useScheduleCoverageQuery();
  return (
    <Panel title="Coverage gaps" id="coverage-gaps" className="mt-4">
      <p className="border-b border-border px-4 py-2 text-xs text-muted">
        A scheduled run keeps a strategy’s keys cached for its TTL; between runs further apart than that, reads go to the database. Over the coming week, from the enabled schedules:
      </p>
      <QueryState query={coverage} what="the coverage" loadingRows={4}>
        {(list) => (
          <TableScroll>
            {/* Wide enough for the gaps and the suggestion to read in lines, not letters; on a phone it scrolls. */}
            <table className="w-full min-w-[52rem] text-sm" data-testid="coverage-gaps">
              <thead className="border-b border-border">
                <tr>
                  <th scope="col" className={HEAD}>Strategy</th>
                  <th scope="col" className={`${HEAD} text-right`}>TTL</th>
                  <th scope="col" className={HEAD}>Warmed by</th>
                  <th scope="col" className={`${HEAD} text-right`}>Covered</th>
                  <th scope="col" className={HEAD}>Gaps</th>
                  <th scope="col" className={HEAD}>Suggestion</th>
                </tr>
              </thead>
              <tbody>
                {list.map((c) => (
                  <tr key={c.strategy} className="border-b border-border last:border-0 align-top" data-testid={`coverage-${c.strategy}`}>
                    <th scope="row" className="px-3 py-2 text-left font-medium">{humanize(c.strategy)}</th>
                    <td className="px-3 py-2 text-right tabular-nums whitespace-nowrap">{formatSeconds(c.ttlSeconds)}</td>
                    <td className="px-3 py-2 text-xs">{c.schedules.length ? c.schedules.join(', ') : <span className="text-bad">no schedule</span>}</td>
                    <td className={`px-3 py-2 text-right font-medium tabular-nums ${c.gapCount ? 'text-bad' : 'text-ok'}`} data-testid="coverage-covered">
                      {formatRate(c.coveredFraction)}
                    </td>
                    <td className="px-3 py-2 text-xs">
                      {c.gapCount === 0 ? (
                        <span className="text-muted">none</span>
                      ) : (
                        <>
                          <div data-testid="coverage-gaps-count">
                            {c.gapCount} {c.gapCount === 1 ? 'gap' : 'gaps'}, {formatDuration(c.uncoveredMs)} in all; longest {formatDuration(c.longestGapMs)}
                          </div>
                          <div className="text-muted">
                            first from <LocalTime iso={c.gaps[0]!.from} /> to <LocalTime iso={c.gaps[0]!.to} />
                          </div>
                        </>
                      )}
                    </td>
                    <td className="px-3 py-2 text-xs">
                      {c.suggestion ? (
                        <div className="flex flex-wrap items-center gap-2">
                          <span>
                            <code className="font-mono" data-testid="coverage-suggestion">{c.suggestion.cron}</code> <span className="text-muted">({c.suggestion.description}) closes them</span>
                          </span>
                          <Can role="operator">
                            <Button size="sm" data-mutates aria-label={`Use the suggested schedule for ${humanize(c.strategy)}`} onClick={() => onUse(c)}>
                              Use
                            </Button>
                          </Can>
                        </div>
                      ) : c.gapCount ? (
                        <span className="text-muted">TTL too short for a schedule; re-warm on change instead</span>
                      ) : (
                        <span className="text-muted">—</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      </QueryState>
    </Panel>
  );
}
