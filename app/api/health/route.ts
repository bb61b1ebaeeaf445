import { json } from '@/server/http/respond';

export const dynamic = 'force-dynamic';

/** Liveness: the process answers HTTP. No database, no auth (load balancers and Playwright poll it). */
export function GET() {
  return json({ status: 'ok', uptimeSeconds: Math.round(process.uptime()) });
}
