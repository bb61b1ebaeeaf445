'use client';

import { type FormEvent, useState } from 'react';
import { MIN_PASSWORD_LENGTH, ROLES, type Role, newPasswordSchema } from '@/lib/api/auth';
import { issueText } from '@/lib/ui/labels';
import type { OperatorView, UpdateOperatorRequest } from '@/lib/api/operators';
import { errorMessage, fieldError, isStaleEdit } from '../api/api-fetch';
import { useMeQuery } from '../api/auth';
import { useDeleteOperatorMutation, useOperatorsQuery, useUpdateOperatorMutation } from '../api/operators';
import { Button } from '../ui/button';
import { ConfirmButton } from '../ui/confirm-button';
import { LocalTime } from '../ui/local-time';
import { Panel } from '../ui/panel';
import { QueryState } from '../ui/state-panel';
import { Badge } from '../ui/status-badge';
import { OperatorCreateForm } from './operator-create-form';
import { StaleEditNotice, type StaleField } from '../ui/stale-edit-notice';
import { ActionsCell, ActionsHeader, TableScroll } from '../ui/table-scroll';

const HEAD = 'px-3 py-2 text-left text-xs font-medium text-muted';

/** What a 412 compares: the row as this page showed it against the row now. */
const OPERATOR_FIELDS: StaleField[] = [
  { key: 'name', label: 'Name' },
  { key: 'role', label: 'Role' },
  { key: 'disabled', label: 'State', format: (v) => (v ? 'disabled' : 'active') },
];

/**
 * A role or state change is sent with the version of the row it was made on (If-Match): when
 * another admin changed the operator meanwhile, nothing is saved and the notice says what changed,
 * with the change to apply again on the current row or to drop.
 */
function useOperatorEdit(o: OperatorView) {
  const update = useUpdateOperatorMutation();
  const [shown, setShown] = useState<OperatorView>(o);
  const edit = (patch: UpdateOperatorRequest) => {
    setShown(o);
    update.mutate({ id: o.id, patch, version: o.version });
  };
  const stale = isStaleEdit(update.error) ? update.error : null;
  const notice = stale ? (
    <StaleEditNotice
      shown={shown}
      current={stale.current}
      fields={OPERATOR_FIELDS}
      busy={update.isPending}
      onReapply={() => update.variables && update.mutate({ ...update.variables, version: stale.current.version as number })}
      onDiscard={() => update.reset()}
    />
  ) : null;
  return { update, edit, stale, notice };
}

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
                  <ActionsHeader />
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
      <ActionsCell>{self ? null : <OperatorActions operator={o} />}</ActionsCell>
    </tr>
  );
}

function RoleCell({ operator: o }: { operator: OperatorView }) {
  const { update, edit, stale, notice } = useOperatorEdit(o);
  return (
    <td className="px-3 py-2">
      <label className="sr-only" htmlFor={`role-${o.id}`}>
        Role of {o.email}
      </label>
      <select
        id={`role-${o.id}`}
        value={o.role}
        disabled={update.isPending}
        onChange={(e) => edit({ role: e.target.value as Role })}
        className="h-7 rounded-md border border-border bg-bg px-2 text-xs"
        data-mutates
      >
        {ROLES.map((r) => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
      </select>
      {notice}
      {update.isError && !stale ? (
        <p role="alert" className="mt-1 text-xs text-bad">
          {errorMessage(update.error)}
        </p>
      ) : null}
    </td>
  );
}

function OperatorActions({ operator: o }: { operator: OperatorView }) {
  const { update, edit, stale, notice } = useOperatorEdit(o);
  const remove = useDeleteOperatorMutation();
  const [resetting, setResetting] = useState(false);
  // What the last reset did, said once it is done.
  const [resetDone, setResetDone] = useState<string | null>(null);
  const error = (stale ? null : update.error) ?? remove.error;
  if (resetting) return <PasswordReset operator={o} onDone={(done) => (setResetting(false), setResetDone(done))} />;
  return (
    <span className="inline-flex flex-wrap items-center justify-end gap-2">
      {resetDone ? (
        <span role="status" className="text-xs text-ok">
          {resetDone}
        </span>
      ) : null}
      {notice ? <div className="max-w-80 text-left">{notice}</div> : null}
      {error ? (
        <span role="alert" className="max-w-72 text-xs text-bad">
          {errorMessage(error)}
        </span>
      ) : null}
      <Button size="sm" data-mutates busy={update.isPending} onClick={() => edit({ disabled: !o.disabled })} aria-label={`${o.disabled ? 'Enable' : 'Disable'} ${o.email}`}>
        {o.disabled ? 'Enable' : 'Disable'}
      </Button>
      <Button size="sm" data-mutates onClick={() => (setResetDone(null), setResetting(true))} aria-label={`Reset password of ${o.email}`}>
        Reset password
      </Button>
      <ConfirmButton size="sm" variant="danger" data-mutates question={`Remove ${o.email}?`} confirmLabel="Remove" busy={remove.isPending} onConfirm={() => remove.mutate(o.id)} aria-label={`Remove ${o.email}`}>
        Remove
      </ConfirmButton>
    </span>
  );
}

/**
 * An admin sets a new password for someone who lost theirs (PATCH /api/operators/{id} with
 * `password`): their sessions end at once, and the admin passes the password on. By default the
 * operator must replace it at their next sign-in (`mustChangePassword`): a password two people know
 * is not kept.
 */
function PasswordReset({ operator: o, onDone }: { operator: OperatorView; onDone: (done: string | null) => void }) {
  const update = useUpdateOperatorMutation();
  const [password, setPassword] = useState('');
  const [mustChange, setMustChange] = useState(true);
  const [invalid, setInvalid] = useState<string | undefined>();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const checked = newPasswordSchema.safeParse(password);
    if (!checked.success) return setInvalid(issueText(checked.error.issues[0]!.message));
    setInvalid(undefined);
    update.mutate({ id: o.id, patch: { password, mustChangePassword: mustChange } }, { onSuccess: () => onDone(`Password reset: their sessions ended${mustChange ? '; they choose a new one at sign-in' : ''}`) });
  };
  const error = invalid ?? fieldError(update.error, 'password') ?? (update.error ? errorMessage(update.error) : undefined);
  return (
    <form onSubmit={submit} className="inline-flex flex-wrap items-start justify-end gap-2 text-left" aria-label={`Reset password of ${o.email}`} noValidate>
      <div>
        <label htmlFor={`reset-${o.id}`} className="sr-only">
          New password for {o.email}
        </label>
        <input
          id={`reset-${o.id}`}
          type="password"
          autoComplete="new-password"
          autoFocus
          placeholder={`New password (${MIN_PASSWORD_LENGTH}+ characters)`}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `reset-${o.id}-error` : undefined}
          className="h-7 w-56 rounded-md border border-border bg-bg px-2 text-xs aria-[invalid=true]:border-bad"
        />
        {error ? (
          <p id={`reset-${o.id}-error`} role="alert" className="mt-1 max-w-56 text-xs text-bad">
            {error}
          </p>
        ) : null}
        <label className="mt-1 flex max-w-56 items-center gap-1.5 text-xs text-muted">
          <input type="checkbox" checked={mustChange} onChange={(e) => setMustChange(e.target.checked)} className="accent-accent" />
          They choose a new one at sign-in
        </label>
      </div>
      <Button type="submit" size="sm" variant="primary" busy={update.isPending} data-mutates>
        Set password
      </Button>
      <Button size="sm" variant="ghost" onClick={() => onDone(null)}>
        Cancel
      </Button>
    </form>
  );
}
