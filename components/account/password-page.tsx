'use client';

import Link from 'next/link';
import { type FormEvent, useState } from 'react';
import { safeNextPath } from '@/lib/ui/sign-in-path';
import { ApiError, errorMessage, fieldError } from '../api/api-fetch';
import { useChangePasswordMutation } from '../api/auth';
import { AuthCard } from '../shell/auth-card';
import { Button } from '../ui/button';
import { TextField } from '../ui/field';

/**
 * The operator's own password: the current one, and the new one twice. `required`: the password
 * was generated at the first start and must be changed before anything else.
 */
export function PasswordPage({ email, required, next }: { email: string; required: boolean; next: string }) {
  const change = useChangePasswordMutation();
  const [currentPassword, setCurrent] = useState('');
  const [newPassword, setNew] = useState('');
  const [repeat, setRepeat] = useState('');
  const [mismatch, setMismatch] = useState(false);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (newPassword !== repeat) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    change.mutate(
      { currentPassword, newPassword },
      // A full load: the signed-in layout reads the operator afresh.
      { onSuccess: () => window.location.assign(new URL(safeNextPath(next), window.location.origin).href) },
    );
  };
  const error = change.error;
  const formError = error && !(error instanceof ApiError && error.field) ? errorMessage(error) : undefined;

  return (
    <AuthCard
      title={required ? 'Choose your password' : 'Change your password'}
      lead={
        required
          ? `${email} was created with a generated password. Choose your own to continue; the generated one stops working.`
          : `Signed in as ${email}. Your other sessions end when the password changes.`
      }
    >
      <form onSubmit={submit} className="mt-5 space-y-3" noValidate>
        {/* For password managers: which account this password belongs to. */}
        <input type="hidden" name="username" autoComplete="username" value={email} readOnly />
        <TextField
          label={required ? 'Generated password' : 'Current password'}
          type="password"
          name="currentPassword"
          autoComplete="current-password"
          required
          value={currentPassword}
          onChange={(e) => setCurrent(e.target.value)}
          error={fieldError(error, 'currentPassword')}
        />
        <TextField
          label="New password"
          hint="At least 12 characters."
          type="password"
          name="newPassword"
          autoComplete="new-password"
          required
          value={newPassword}
          onChange={(e) => setNew(e.target.value)}
          error={fieldError(error, 'newPassword')}
        />
        <TextField
          label="New password again"
          type="password"
          name="repeatPassword"
          autoComplete="new-password"
          required
          value={repeat}
          onChange={(e) => setRepeat(e.target.value)}
          error={mismatch ? 'The two new passwords differ' : undefined}
        />
        {formError ? (
          <p role="alert" className="text-sm text-bad">
            {formError}
          </p>
        ) : null}
        <Button type="submit" variant="primary" className="w-full" busy={change.isPending || change.isSuccess}>
          Change password
        </Button>
      </form>
      {required ? null : (
        <p className="mt-4 text-center text-sm">
          <Link href={next} className="text-accent hover:underline">
            Back to Kiln
          </Link>
        </p>
      )}
    </AuthCard>
  );
}
