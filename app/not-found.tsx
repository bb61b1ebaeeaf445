import type { Metadata } from 'next';
import { AppShell } from '@/components/shell/app-shell';
import { AuthCard } from '@/components/shell/auth-card';
import { NotFoundPanel } from '@/components/shell/not-found-panel';
import { getSignedInOperator } from '@/server/auth/current-operator';
import { getRuntime } from '@/server/runtime';

export const metadata: Metadata = { title: 'Page not found' };

/**
 * Any address no page answers (404): inside the console's frame, in its theme, for a signed-in
 * operator; a plain card with the way to sign in for anyone else (it says nothing about the console).
 */
export default async function NotFound() {
  const operator = await getSignedInOperator((await getRuntime()).database);
  if (!operator || operator.mustChangePassword) {
    return (
      <AuthCard title="Page not found" lead="Nothing lives at this address.">
        <a href="/login" className="mt-4 inline-block text-sm text-accent hover:underline">
          Sign in
        </a>
      </AuthCard>
    );
  }
  return (
    <AppShell actor={operator}>
      <NotFoundPanel signedIn />
    </AppShell>
  );
}
