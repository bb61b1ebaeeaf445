'use client';

import { type FormEvent, useState } from 'react';
import { MIN_PASSWORD_LENGTH, ROLES, type Role } from '@/lib/api/auth';
import { createOperatorRequestSchema } from '@/lib/api/operators';
import { issueText } from '@/lib/ui/labels';
import { ApiError, errorMessage, fieldError } from '../api/api-fetch';
import { useCreateOperatorMutation } from '../api/operators';
import { Button } from '../ui/button';
import { SelectField, TextField } from '../ui/field';

const EMPTY = { email: '', name: '', role: 'operator' as Role, password: '' };

/** A new operator: email, name, role and a first password they should change. */
export function OperatorCreateForm() {
  const create = useCreateOperatorMutation();
  const [draft, setDraft] = useState(EMPTY);
  const [created, setCreated] = useState<string | null>(null);

  // Checked here first with the API's own schema, so an empty form says everything that is missing
  // at once (the server, which stops at the first problem, checks again).
  const [invalid, setInvalid] = useState<Record<string, string>>({});

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setCreated(null);
    const checked = createOperatorRequestSchema.safeParse(draft);
    if (!checked.success) {
      const errors: Record<string, string> = {};
      for (const issue of checked.error.issues) {
        const field = String(issue.path[0] ?? '');
        errors[field] ??= issueText(issue.message);
      }
      setInvalid(errors);
      create.reset();
      return;
    }
    setInvalid({});
    create.mutate(draft, {
      onSuccess: (operator) => {
        setCreated(`${operator.email} can now sign in as ${operator.role}`);
        setDraft(EMPTY);
      },
    });
  };
  const err = (field: string) => invalid[field] ?? fieldError(create.error, field);
  const general = create.error && !(create.error instanceof ApiError && create.error.field) ? errorMessage(create.error) : undefined;

  return (
    <form onSubmit={submit} className="grid grid-cols-1 items-start sm:grid-cols-2 lg:grid-cols-[1fr_1fr_9rem_1fr_auto] gap-3 border-t border-border p-4" aria-labelledby="add-operator-heading" noValidate>
      <h3 id="add-operator-heading" className="col-span-full text-xs font-semibold uppercase tracking-wide text-muted">
        Add an operator
      </h3>
      <TextField label="Email" type="email" autoComplete="off" value={draft.email} onChange={(e) => setDraft({ ...draft, email: e.target.value })} error={err('email')} />
      <TextField label="Name" value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} error={err('name')} />
      <SelectField label="Role" value={draft.role} onChange={(e) => setDraft({ ...draft, role: e.target.value as Role })} error={err('role')}>
        {ROLES.map((r) => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
      </SelectField>
      <TextField label={`First password (${MIN_PASSWORD_LENGTH}+ characters)`} type="password" autoComplete="new-password" value={draft.password} onChange={(e) => setDraft({ ...draft, password: e.target.value })} error={err('password')} />
      <div className="pt-5">
        <Button type="submit" variant="primary" busy={create.isPending} data-mutates>
          Add operator
        </Button>
      </div>
      {general || created ? (
        <p role={general ? 'alert' : 'status'} className={`col-span-full text-sm ${general ? 'text-bad' : 'text-ok'}`}>
          {general ?? created}
        </p>
      ) : null}
    </form>
  );
}
