import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import type { ReactNode } from 'react';
import { AppShell } from '@/components/shell/app-shell';
import { PATH_HEADER, passwordChangePath, signInPath } from '@/lib/ui/sign-in-path';
import { getSignedInOperator } from '@/server/auth/current-operator';
import { getRuntime } from '@/server/runtime';

// Reads the session on every request: never prerendered.
export const dynamic = 'force-dynamic';

/** Every page but /login is behind sign-in; without a session the visitor signs in and comes back. */
export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const operator = await getSignedInOperator((await getRuntime()).database);
  const path = (await headers()).get(PATH_HEADER);
  if (!operator) redirect(signInPath(path));
  // A generated first password: nothing else until it is changed (the API refuses the rest too).
  if (operator.mustChangePassword) redirect(passwordChangePath(path));
  return <AppShell actor={operator}>{children}</AppShell>;
}
