'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import type { ScheduleView } from '@/lib/api/schedules';
import { formatCount } from '@/lib/ui/format';
import { describeScope } from '@/lib/ui/scope';
import { formatWallTime } from '@/lib/ui/wall-time';
import { blackoutRefusal, errorMessage } from '../api/api-fetch';
import { useDeleteScheduleMutation, useRunScheduleNowMutation, useUpdateScheduleMutation } from '../api/schedules';
import { Can } from '../shell/role';
import { Button } from '../ui/button';
import { ConfirmButton } from '../ui/confirm-button';
import { LocalTime } from '../ui/local-time';
import { ActionsCell } from '../ui/table-scroll';
import { Badge, StatusBadge } from '../ui/status-badge';
import { describeBlackout } from '@/lib/blackout';

/** One schedule: when it fires next, how its last slot went, the slots it missed, and its actions. */
export function ScheduleRow({ schedule: s, onEdit, editing }: { schedule: ScheduleView; onEdit: () => void; editing: boolean }) {
  const router = useRouter();
  const toggle = useUpdateScheduleMutation();
  const runNow = useRunScheduleNowMutation();
  const remove = useDeleteScheduleMutation();
  const error = toggle.error ?? runNow.error ?? remove.error;
  // Inside a blackout window Run now is asked like any manual run: the refusal offers "Run anyway".
  const blackout = runNow.isError ? blackoutRefusal(runNow.error) : null;
  const run = (confirmBlackout?: boolean) => runNow.mutate({ id: s.id, confirmBlackout }, { onSuccess: (started) => router.push(`/runs/${started.runId}`) });
  const fire = s.lastFire;

  return (
    <>
      <tr id={`schedule-${s.id}`} className={`scroll-mt-20 border-b border-border align-top target:bg-accent/10 ${editing ? 'bg-subtle/60' : ''}`} data-testid={`schedule-${s.id}`} data-schedule-name={s.name}>
        <td className="px-3 py-2">
          <div className="font-medium">{s.name}</div>
          <div className="text-xs text-muted">{s.description}</div>
          <div className="mt-0.5 font-mono text-xs text-muted">
            <span className="whitespace-nowrap">{s.cron}</span> · {s.timezone}
          </div>
          {s.blackoutWindows?.length ? <div className="mt-0.5 text-xs text-muted">not {s.blackoutWindows.map(describeBlackout).join('; ')}</div> : null}
        </td>
        <td className="px-3 py-2 text-xs">
          <div>{describeScope(s.scope)}</div>
          <div className="text-muted">
            concurrency {s.concurrency ?? 'default'}
            {s.onlyMissing ? ' · only missing' : ''}
          </div>
        </td>
        <td className="px-3 py-2 text-xs">
          {s.enabled ? (
            s.nextFireAt ? (
              <>
                <div className="font-medium">
                  <LocalTime iso={s.nextFireAt} relative />
                </div>
                <div className="text-muted" title={s.nextFireAt}>
                  {s.nextFireLocal ? formatWallTime(s.nextFireLocal) : <LocalTime iso={s.nextFireAt} />}
                </div>
              </>
            ) : (
              <span className="text-bad">never (the expression no longer parses)</span>
            )
          ) : (
            <Badge tone="muted">paused</Badge>
          )}
        </td>
        <td className="px-3 py-2 text-xs">
          {fire ? (
            <>
              <div className="flex items-center gap-1.5">
                <StatusBadge status={fire.outcome} />
                {fire.run ? <StatusBadge status={fire.run.status} /> : null}
              </div>
              <div className="mt-0.5 text-muted">
                slot <LocalTime iso={fire.slotAt} />
                {fire.runId ? (
                  <>
                    {' · '}
                    <Link href={`/runs/${fire.runId}`} className="text-accent underline underline-offset-2">
                      {fire.run ? `${formatCount(fire.run.warmed)} / ${formatCount(fire.run.total)} warmed` : 'run'}
                    </Link>
                  </>
                ) : null}
              </div>
              {fire.reason ? <div className="text-muted">{fire.reason}</div> : null}
            </>
          ) : (
            <span className="text-muted">not fired yet</span>
          )}
        </td>
        <td className="px-3 py-2 text-xs">
          {s.recentMissed.length === 0 ? (
            <span className="text-muted">none</span>
          ) : (
            <details>
              <summary className="cursor-pointer text-bad">{s.recentMissed.length} in 7 days</summary>
              <ul className="mt-1 space-y-0.5">
                {s.recentMissed.map((m) => (
                  <li key={m.slotAt}>
                    <LocalTime iso={m.slotAt} />
                    {m.reason ? <span className="text-muted"> · {m.reason}</span> : null}
                  </li>
                ))}
              </ul>
            </details>
          )}
        </td>
        <Can role="operator">
          <ActionsCell>
            <div className="flex flex-wrap justify-end gap-1.5">
              <Button size="sm" data-mutates busy={runNow.isPending} aria-label={`Run now: ${s.name}`} onClick={() => run()}>
                Run now
              </Button>
              <Button size="sm" data-mutates busy={toggle.isPending} onClick={() => toggle.mutate({ id: s.id, patch: { enabled: !s.enabled } })} aria-label={`${s.enabled ? 'Pause' : 'Resume'} ${s.name}`}>
                {s.enabled ? 'Pause' : 'Resume'}
              </Button>
              <Button size="sm" data-mutates onClick={onEdit} aria-label={`Edit ${s.name}`}>
                Edit
              </Button>
              <ConfirmButton size="sm" variant="danger" data-mutates question={`Delete “${s.name}”?`} confirmLabel="Delete" busy={remove.isPending} onConfirm={() => remove.mutate(s.id)} aria-label={`Delete ${s.name}`}>
                Delete
              </ConfirmButton>
            </div>
          </ActionsCell>
        </Can>
      </tr>
      {error ? (
        <tr>
          <td colSpan={6} role="alert" className="border-b border-border bg-bad/10 px-3 py-1.5 text-xs text-bad">
            {blackout && error === runNow.error ? (
              <span className="flex flex-wrap items-center gap-2">
                <span>
                  {s.name}: {blackout}.
                </span>
                <Button size="sm" data-mutates busy={runNow.isPending} onClick={() => run(true)} aria-label={`Run ${s.name} anyway`}>
                  Run anyway
                </Button>
              </span>
            ) : (
              <>
                {s.name}: {errorMessage(error)}
              </>
            )}
          </td>
        </tr>
      ) : null}
    </>
  );
}
