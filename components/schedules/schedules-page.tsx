'use client';

import { useState } from 'react';
import type { ScheduleView, StrategyCoverage } from '@/lib/api/schedules';
import { browserTimeZone } from '@/lib/ui/wall-time';
import { useSchedulesQuery } from '../api/schedules';
import { useStrategiesQuery } from '../api/strategies';
import { Can, useHasRole } from '../shell/role';
import { Button } from '../ui/button';
import { PageHeader, Panel } from '../ui/panel';
import { EmptyState, QueryState } from '../ui/state-panel';
import { CoveragePanel } from './coverage-panel';
import { ScheduleForm } from './schedule-form';
import { ScheduleRow } from './schedule-row';
import { ActionsHeader, TableScroll } from '../ui/table-scroll';

const HEAD = 'px-3 py-2 text-left text-xs font-medium text-muted';

/** When the cache warms on its own: each schedule's next fire and last outcome, and their editing. */
export function SchedulesPage() {
  const schedules = useSchedulesQuery({ refetchInterval: 30_000 });
  const strategies = useStrategiesQuery();
  const canEdit = useHasRole('operator');
  // null: no form; 'new': creating; a number: editing that schedule.
  const [form, setForm] = useState<'new' | number | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  // A suggestion from the coverage gaps, to start a new schedule from.
  const [template, setTemplate] = useState<StrategyCoverage | null>(null);
  const editing = typeof form === 'number' ? (schedules.data?.find((s) => s.id === form) ?? null) : null;
  const defaultZone = schedules.data?.[0]?.timezone ?? browserTimeZone();

  const done = (verb: string) => (result: ScheduleView | null) => {
    setForm(null);
    setTemplate(null);
    setSaved(result ? `${verb} “${result.name}”${result.enabled ? '' : ' (paused)'}` : null);
  };

  return (
    <>
      <PageHeader
        title="Schedules"
        description="Warmups that start on their own, each slot fired once across every replica."
        actions={
          <>
            {saved ? (
              <span role="status" className="text-sm text-ok">
                {saved}
              </span>
            ) : null}
            <Can role="operator">
              {form === null ? (
                <Button variant="primary" data-mutates onClick={() => (setSaved(null), setTemplate(null), setForm('new'))}>
                  New schedule
                </Button>
              ) : null}
            </Can>
          </>
        }
      />
      {canEdit && form !== null && strategies.data && (form === 'new' || editing) ? (
        <Panel title={editing ? `Edit “${editing.name}”` : 'New schedule'} id="schedule-form" className="mb-4">
          <ScheduleForm
            key={`${String(form)}:${template?.strategy ?? ''}`}
            schedule={editing}
            template={template?.suggestion ? { name: `Keep ${template.strategy.replace(/_/g, ' ')} warm`, cron: template.suggestion.cron, scope: { strategies: [template.strategy] } } : undefined}
            strategies={strategies.data} defaultTimezone={defaultZone} onDone={done(editing ? 'Saved' : 'Created')} />
        </Panel>
      ) : null}
      <Panel title="Schedules" id="schedules">
        <QueryState
          query={schedules}
          what="the schedules"
          loadingRows={5}
          isEmpty={(list) => list.length === 0}
          empty={
            <EmptyState action={<Can role="operator"><Button size="sm" data-mutates onClick={() => setForm('new')}>New schedule</Button></Can>}>
              No schedule yet: the cache is warmed only when someone asks.
            </EmptyState>
          }
        >
          {(list) => (
            <TableScroll>
              <table className="w-full text-sm">
                <thead className="border-b border-border">
                  <tr>
                    <th scope="col" className={HEAD}>Schedule</th>
                    <th scope="col" className={HEAD}>Warms</th>
                    <th scope="col" className={HEAD}>Next fire</th>
                    <th scope="col" className={HEAD}>Last slot</th>
                    <th scope="col" className={HEAD}>Missed</th>
                    {canEdit ? <ActionsHeader /> : null}
                  </tr>
                </thead>
                <tbody>
                  {list.map((s) => (
                    <ScheduleRow key={s.id} schedule={s} editing={form === s.id} onEdit={() => (setSaved(null), setForm(s.id))} />
                  ))}
                </tbody>
              </table>
            </TableScroll>
          )}
        </QueryState>
      </Panel>
      <CoveragePanel
        onUse={(c) => {
          setSaved(null);
          setTemplate(c);
          setForm('new');
          window.scrollTo({ top: 0 });
        }}
      />
    </>
  );
}
