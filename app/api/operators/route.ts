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
  const runtime = await getRuntime();
  await authorize(runtime, request, 'admin');
  const { database } = runtime;
  return json({ operators: await listOperators(database) });
});

export const POST = route(async (request) => {
  const runtime = await getRuntime();
  const actor = await authorize(runtime, request, 'admin');
  const input = await parseJsonBody(request, createOperatorRequestSchema);
  const { database } = runtime;
  return json({ operator: await createOperator(database, input, actor, clientInfo(request)) }, { status: 201 });
});
