'use client';

import { type FormEvent, useState } from 'react';
import type { ChannelKind } from '@/lib/api/alerts';
import { useCreateChannelMutation } from '../api/alerts';
import { ApiError, errorMessage } from '../api/api-fetch';
import { Button } from '../ui/button';
import { SelectField, TextField } from '../ui/field';

/** Adds a channel (admins). A generated webhook secret is shown once, here. */
export function ChannelForm() {
  const create = useCreateChannelMutation();
  const [kind, setKind] = useState<ChannelKind>('webhook');
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [secret, setSecret] = useState('');
  const [recipients, setRecipients] = useState('');
  const field = create.error instanceof ApiError ? create.error.field : undefined;
  const message = create.error ? errorMessage(create.error) : undefined;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      {
        name,
        kind,
        ...(kind === 'email' ? { recipients: recipients.split(/[\s,;]+/).filter(Boolean) } : { url }),
        ...(kind === 'webhook' && secret ? { secret } : {}),
      },
      { onSuccess: () => (setName(''), setUrl(''), setSecret(''), setRecipients('')) },
    );
  };
  return (
    <form onSubmit={submit} className="space-y-3" aria-label="Add a channel">
      <h3 className="text-sm font-semibold">Add a channel</h3>
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
        <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} required error={field === 'name' ? message : undefined} />
        <SelectField label="Kind" value={kind} onChange={(e) => setKind(e.target.value as ChannelKind)}>
          <option value="webhook">Webhook (signed JSON)</option>
          <option value="slack">Slack incoming webhook</option>
          <option value="email">Email (SMTP)</option>
        </SelectField>
        {kind === 'email' ? (
          <TextField label="Recipients" hint="Comma-separated addresses" value={recipients} onChange={(e) => setRecipients(e.target.value)} error={field === 'recipients' ? message : undefined} className="lg:col-span-2" />
        ) : (
          <TextField label="URL" type="url" value={url} onChange={(e) => setUrl(e.target.value)} error={field === 'url' ? message : undefined} className={kind === 'slack' ? 'lg:col-span-2' : undefined} />
        )}
        {kind === 'webhook' ? <TextField label="Secret" hint="Blank: Kiln generates one and shows it once" type="password" autoComplete="off" value={secret} onChange={(e) => setSecret(e.target.value)} error={field === 'secret' ? message : undefined} /> : null}
      </div>
      <div className="flex flex-wrap items-center gap-3">
        <Button type="submit" variant="primary" busy={create.isPending}>
          Add channel
        </Button>
        {create.error && !['name', 'url', 'recipients', 'secret'].includes(field ?? '') ? <p className="text-sm text-bad" role="alert">{message}</p> : null}
        {create.data?.secret ? (
          <p className="text-sm" role="status">
            Signing secret of “{create.data.name}”, shown only now: <code className="select-all break-all font-mono">{create.data.secret}</code>
          </p>
        ) : null}
      </div>
    </form>
  );
}
