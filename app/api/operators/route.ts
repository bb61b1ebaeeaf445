import { createOperatorRequestSchema } from '@/lib/api/operators';
import { authorize } from '@/server/auth/authorize';
import { clientInfo } from '@/server/auth/client-info';
import { createOperator } from '@/server/auth/operators/create-operator';
import { listOperators } from '@/server/auth/operators/list-operators';
import { parseJsonBody } from '@/server/http/request';
import { json, route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

export const GET = route(async (request) => {
  await authorize(request, 'admin');
  const { database } = await getRuntime();
  return json({ operators: await listOperators(database) });
});

export const POST = route(async (request) => {
  const actor = await authorize(request, 'admin');
  const input = await parseJsonBody(request, createOperatorRequestSchema);
  const { database } = await getRuntime();
  return json({ operator: await createOperator(database, input, actor, clientInfo(request)) }, { status: 201 });
});
