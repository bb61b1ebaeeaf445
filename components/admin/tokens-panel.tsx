'use client';

import { type FormEvent, useState } from 'react';
import { type AccessRole, TOKEN_ROLES } from '@/lib/api/auth';
import type { ApiTokenView, CreateTokenResponse } from '@/lib/api/tokens';
import { ApiError, errorMessage, fieldError } from '../api/api-fetch';
import { useCreateTokenMutation, useRevokeTokenMutation, useTokensQuery } from '../api/tokens';
import { Button } from '../ui/button';
import { ConfirmButton } from '../ui/confirm-button';
import { SelectField, TextField } from '../ui/field';
import { LocalTime } from '../ui/local-time';
import { Panel } from '../ui/panel';
import { EmptyState, QueryState } from '../ui/state-panel';
import { Badge } from '../ui/status-badge';
import { TableScroll } from '../ui/table-scroll';

const HEAD = 'px-3 py-2 text-left text-xs font-medium text-muted';

/** API tokens for scripts: each with a role; the secret is shown once, at creation. */
export function TokensPanel() {
  const tokens = useTokensQuery();
  const [created, setCreated] = useState<CreateTokenResponse | null>(null);
  return (
    <Panel title="API tokens" id="tokens">
      {created ? <NewTokenSecret created={created} onDone={() => setCreated(null)} /> : null}
      <QueryState
        query={tokens}
        what="the API tokens"
        loadingRows={3}
        isEmpty={(list) => list.length === 0}
        empty={<EmptyState>No API token yet: create one below for a script or a scraper (send it as “Authorization: Bearer …”).</EmptyState>}
      >
        {(list) => (
          <TableScroll>
            <table className="w-full text-sm">
              <thead className="border-b border-border">
                <tr>
                  <th scope="col" className={HEAD}>Token</th>
                  <th scope="col" className={HEAD}>Role</th>
                  <th scope="col" className={HEAD}>Created</th>
                  <th scope="col" className={HEAD}>Last used</th>
                  <th scope="col" className={HEAD}>Expires</th>
                  <th scope="col" className={HEAD}>
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((t) => (
                  <TokenRow key={t.id} token={t} />
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      </QueryState>
      <TokenCreateForm onCreated={setCreated} />
    </Panel>
  );
}

function TokenRow({ token: t }: { token: ApiTokenView }) {
  const revoke = useRevokeTokenMutation();
  const expired = t.expiresAt !== null && Date.parse(t.expiresAt) < Date.now();
  return (
    <tr className="border-b border-border last:border-0">
      <td className="px-3 py-2">
        <div className="font-medium">{t.name}</div>
        <div className="font-mono text-xs text-muted">{t.prefix}…</div>
      </td>
      <td className="px-3 py-2 text-xs">{t.role}</td>
      <td className="px-3 py-2 text-xs">
        <LocalTime iso={t.createdAt} /> <span className="text-muted">by {t.createdBy}</span>
      </td>
      <td className="px-3 py-2 text-xs">{t.lastUsedAt ? <LocalTime iso={t.lastUsedAt} relative /> : <span className="text-muted">never</span>}</td>
      <td className="px-3 py-2 text-xs">{t.expiresAt ? <LocalTime iso={t.expiresAt} /> : <span className="text-muted">never</span>}</td>
      <td className="px-3 py-2 text-right">
        {t.revokedAt ? (
          <Badge tone="muted">revoked</Badge>
        ) : expired ? (
          <Badge tone="muted">expired</Badge>
        ) : (
          <span className="inline-flex items-center gap-2">
            {revoke.isError ? (
              <span role="alert" className="text-xs text-bad">
                {errorMessage(revoke.error)}
              </span>
            ) : null}
            <ConfirmButton size="sm" variant="danger" data-mutates question={`Revoke ${t.name}? Scripts using it stop working.`} confirmLabel="Revoke" busy={revoke.isPending} onConfirm={() => revoke.mutate(t.id)}>
              Revoke
            </ConfirmButton>
          </span>
        )}
      </td>
    </tr>
  );
}

function TokenCreateForm({ onCreated }: { onCreated: (created: CreateTokenResponse) => void }) {
  const create = useCreateTokenMutation();
  const [name, setName] = useState('');
  const [role, setRole] = useState<AccessRole>('viewer');
  const [days, setDays] = useState('90');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({ name, role, ...(days.trim() ? { expiresInDays: Number(days) } : {}) }, { onSuccess: (created) => (onCreated(created), setName('')) });
  };
  const general = create.error && !(create.error instanceof ApiError && create.error.field) ? errorMessage(create.error) : undefined;
  return (
    <form onSubmit={submit} className="grid grid-cols-1 items-start sm:grid-cols-2 lg:grid-cols-[1fr_9rem_12rem_auto] gap-3 border-t border-border p-4" aria-labelledby="create-token-heading" noValidate>
      <h3 id="create-token-heading" className="col-span-full text-xs font-semibold uppercase tracking-wide text-muted">
        Create a token
      </h3>
      <TextField label="Name (what uses it)" value={name} onChange={(e) => setName(e.target.value)} error={fieldError(create.error, 'name')} />
      <SelectField label="Role" value={role} onChange={(e) => setRole(e.target.value as AccessRole)} error={fieldError(create.error, 'role')}>
        {TOKEN_ROLES.map((r) => (
          <option key={r} value={r}>
            {r === 'shop_reader' ? 'shop_reader (the shop’s reads only)' : r}
          </option>
        ))}
      </SelectField>
      <TextField label="Expires in days (empty: never)" type="number" min={1} value={days} onChange={(e) => setDays(e.target.value)} error={fieldError(create.error, 'expiresInDays')} />
      <div className="pt-5">
        <Button type="submit" variant="primary" busy={create.isPending} data-mutates>
          Create token
        </Button>
      </div>
      {general ? (
        <p role="alert" className="col-span-full text-sm text-bad">
          {general}
        </p>
      ) : null}
    </form>
  );
}

function NewTokenSecret({ created, onDone }: { created: CreateTokenResponse; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <div role="status" className="m-4 rounded-md border border-ok/50 bg-ok/10 p-3 text-sm" data-testid="new-token">
      <p className="font-medium">Token “{created.token.name}” created. Copy it now: it is stored hashed and will not be shown again.</p>
      <div className="mt-2 flex items-center gap-2">
        <code className="min-w-0 flex-1 truncate rounded border border-border bg-panel px-2 py-1 font-mono text-xs" data-testid="token-secret">
          {created.secret}
        </code>
        <Button size="sm" onClick={() => void navigator.clipboard.writeText(created.secret).then(() => setCopied(true))}>
          {copied ? 'Copied' : 'Copy'}
        </Button>
        <Button size="sm" variant="ghost" onClick={onDone}>
          Done
        </Button>
      </div>
    </div>
  );
}
