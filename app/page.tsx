import { SystemStatusView } from '@/components/system-status-view';
import { getRuntime } from '@/server/runtime';
import { getSystemStatus } from '@/server/status/get-system-status';

// Reads the database on every request: never prerendered at build time.
export const dynamic = 'force-dynamic';

export default async function HomePage() {
  const status = await getSystemStatus(await getRuntime());
  return <SystemStatusView status={status} />;
}
