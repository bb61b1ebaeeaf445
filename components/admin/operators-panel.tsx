'use client';

import { ROLES, type Role } from '@/lib/api/auth';
import type { OperatorView } from '@/lib/api/operators';
import { errorMessage } from '../api/api-fetch';
import { useMeQuery } from '../api/auth';
import { useDeleteOperatorMutation, useOperatorsQuery, useUpdateOperatorMutation } from '../api/operators';
import { Button } from '../ui/button';
import { ConfirmButton } from '../ui/confirm-button';
import { LocalTime } from '../ui/local-time';
import { Panel } from '../ui/panel';
import { QueryState } from '../ui/state-panel';
import { Badge } from '../ui/status-badge';
import { OperatorCreateForm } from './operator-create-form';
import { TableScroll } from '../ui/table-scroll';

const HEAD = 'px-3 py-2 text-left text-xs font-medium text-muted';

/** Who may sign in, with which role; roles change at once (the server reads them per request). */
export function OperatorsPanel() {
  const operators = useOperatorsQuery();
  return (
    <Panel title="Operators" id="operators">
      <QueryState query={operators} what="the operators" loadingRows={4}>
        {(list) => (
          <TableScroll>
            <table className="w-full text-sm">
              <thead className="border-b border-border">
                <tr>
                  <th scope="col" className={HEAD}>Operator</th>
                  <th scope="col" className={HEAD}>Role</th>
                  <th scope="col" className={HEAD}>State</th>
                  <th scope="col" className={HEAD}>Last sign-in</th>
                  <th scope="col" className={HEAD}>Added</th>
                  <th scope="col" className={HEAD}>
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((o) => (
                  <OperatorRow key={o.id} operator={o} />
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      </QueryState>
      <OperatorCreateForm />
    </Panel>
  );
}

function OperatorRow({ operator: o }: { operator: OperatorView }) {
  const me = useMeQuery();
  const self = me.data?.kind === 'operator' && me.data.id === o.id;
  return (
    <tr className="border-b border-border last:border-0" data-testid={`operator-${o.email}`}>
      <td className="px-3 py-2">
        <div className="font-medium">{o.name}</div>
        <div className="text-xs text-muted">
          {o.email}
          {self ? ' (you)' : ''}
        </div>
      </td>
      {/* No controls on your own row: an admin does not lock themself out by a slip. */}
      {self ? <td className="px-3 py-2 text-xs">{o.role}</td> : <RoleCell operator={o} />}
      <td className="px-3 py-2">{o.disabled ? <Badge tone="muted">disabled</Badge> : <Badge tone="ok">active</Badge>}</td>
      <td className="px-3 py-2 text-xs">{o.lastLoginAt ? <LocalTime iso={o.lastLoginAt} relative /> : <span className="text-muted">never</span>}</td>
      <td className="px-3 py-2 text-xs">
        <LocalTime iso={o.createdAt} />
      </td>
      <td className="px-3 py-2 text-right">{self ? null : <OperatorActions operator={o} />}</td>
    </tr>
  );
}

function RoleCell({ operator: o }: { operator: OperatorView }) {
  const update = useUpdateOperatorMutation();
  return (
    <td className="px-3 py-2">
      <label className="sr-only" htmlFor={`role-${o.id}`}>
        Role of {o.email}
      </label>
      <select
        id={`role-${o.id}`}
        value={o.role}
        disabled={update.isPending}
        onChange={(e) => update.mutate({ id: o.id, patch: { role: e.target.value as Role } })}
        className="h-7 rounded-md border border-border bg-bg px-2 text-xs"
        data-mutates
      >
        {ROLES.map((r) => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
      </select>
      {update.isError ? (
        <p role="alert" className="mt-1 text-xs text-bad">
          {errorMessage(update.error)}
        </p>
      ) : null}
    </td>
  );
}

function OperatorActions({ operator: o }: { operator: OperatorView }) {
  const update = useUpdateOperatorMutation();
  const remove = useDeleteOperatorMutation();
  const error = update.error ?? remove.error;
  return (
    <span className="inline-flex items-center gap-2">
      {error ? (
        <span role="alert" className="max-w-72 text-xs text-bad">
          {errorMessage(error)}
        </span>
      ) : null}
      <Button size="sm" data-mutates busy={update.isPending} onClick={() => update.mutate({ id: o.id, patch: { disabled: !o.disabled } })} aria-label={`${o.disabled ? 'Enable' : 'Disable'} ${o.email}`}>
        {o.disabled ? 'Enable' : 'Disable'}
      </Button>
      <ConfirmButton size="sm" variant="danger" data-mutates question={`Remove ${o.email}?`} confirmLabel="Remove" busy={remove.isPending} onConfirm={() => remove.mutate(o.id)} aria-label={`Remove ${o.email}`}>
        Remove
      </ConfirmButton>
    </span>
  );
}
