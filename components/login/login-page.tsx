'use client';

import { type FormEvent, useState } from 'react';
import { passwordChangePath, safeNextPath } from '@/lib/ui/sign-in-path';
import { ApiError, errorMessage, fieldError } from '../api/api-fetch';
import { useLoginMutation } from '../api/auth';
import { AuthCard } from '../shell/auth-card';
import { Button } from '../ui/button';
import { TextField } from '../ui/field';

/** Sign-in: email and password; afterwards the page the visitor asked for. */
export function LoginPage({ next }: { next: string }) {
  const login = useLoginMutation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    login.mutate(
      { email, password },
      {
        // A full load, so the signed-in layout reads the new session cookie. The path is checked
        // again here, with the same parser the browser uses to follow it. A generated password
        // is changed first.
        onSuccess: ({ operator }) => {
          const target = safeNextPath(next);
          const path = operator.mustChangePassword ? passwordChangePath(target) : target;
          window.location.assign(new URL(path, window.location.origin).href);
        },
      },
    );
  };
  const error = login.error;
  const formError = error && !(error instanceof ApiError && error.field) ? errorMessage(error) : undefined;

  return (
    <AuthCard title="Sign in to Kiln" lead="The cache-warmup control room.">
      <form onSubmit={submit} className="mt-5 space-y-3" noValidate>
        <TextField
          label="Email"
          type="email"
          name="email"
          autoComplete="username"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={fieldError(error, 'email')}
        />
        <TextField
          label="Password"
          type="password"
          name="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={fieldError(error, 'password')}
        />
        {formError ? (
          <p role="alert" className="text-sm text-bad">
            {formError}
          </p>
        ) : null}
        <Button type="submit" variant="primary" className="w-full" busy={login.isPending || login.isSuccess}>
          Sign in
        </Button>
      </form>
    </AuthCard>
  );
}
