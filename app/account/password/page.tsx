import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { PasswordPage } from '@/components/account/password-page';
import { PASSWORD_PAGE, safeNextPath, signInPath } from '@/lib/ui/sign-in-path';
import { getSignedInOperator } from '@/server/auth/current-operator';
import { getRuntime } from '@/server/runtime';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Change password' };

/** The signed-in operator's password change; the first page after signing in with a generated password. */
export default async function Page({ searchParams }: { searchParams: Promise<{ next?: string | string[] }> }) {
  const { next } = await searchParams;
  const target = safeNextPath(typeof next === 'string' ? next : undefined);
  const operator = await getSignedInOperator((await getRuntime()).database);
  if (!operator) redirect(signInPath(PASSWORD_PAGE));
  return <PasswordPage email={operator.label} required={operator.mustChangePassword === true} next={target} />;
}
