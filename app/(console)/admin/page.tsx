import type { Metadata } from 'next';
import { AdminPage } from '@/components/admin/admin-page';
import { Forbidden } from '@/components/shell/forbidden';
import { roleAtLeast } from '@/lib/api/auth';
import { getSignedInOperator } from '@/server/auth/current-operator';
import { getRuntime } from '@/server/runtime';

export const metadata: Metadata = { title: 'Admin' };

export default async function Page() {
  // The layout has checked the session; this page is for admins only (the API refuses others too).
  const operator = await getSignedInOperator((await getRuntime()).database);
  if (!operator || !roleAtLeast(operator.role, 'admin')) return <Forbidden what="Operators and API tokens" role="admin" />;
  return <AdminPage />;
}
