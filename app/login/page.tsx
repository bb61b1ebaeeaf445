import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { LoginPage } from '@/components/login/login-page';
import { safeNextPath } from '@/lib/ui/sign-in-path';
import { getSignedInOperator } from '@/server/auth/current-operator';
import { getRuntime } from '@/server/runtime';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Sign in' };

export default async function Page({ searchParams }: { searchParams: Promise<{ next?: string | string[] }> }) {
  const { next } = await searchParams;
  const target = safeNextPath(typeof next === 'string' ? next : undefined);
  if (await getSignedInOperator((await getRuntime()).database)) redirect(target);
  return <LoginPage next={target} />;
}
