import { sql } from 'drizzle-orm';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import * as logout from '@/app/api/auth/logout/route';
import * as ready from '@/app/api/ready/route';
import * as runEvents from '@/app/api/runs/[id]/events/route';
import * as runs from '@/app/api/runs/route';
import { openPostgres } from '@/server/db/client';
import { MAX_STREAMS_PER_SESSION } from '@/server/http/stream-slots';
import { type Runtime, installRuntimeForTests } from '@/server/runtime';
import { databaseUrl } from '../../support/env';
import { errorOf, request, signedIn } from '../../support/api';
import { useTestDatabase } from '../../support/db';
import { fakeStrategy, sleep } from '../../support/fake-strategy';
import { useTestRuntime } from '../../support/runtime';

const slow = () => fakeStrategy({ name: 'slow_one', keys: Array.from({ length: 2000 }, (_, i) => `s:${i}`), value: async (k) => { await sleep(20); return k; } });

async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, pattern: RegExp, ms: number): Promise<{ text: string; done: boolean }> {
  let text = '';
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && !pattern.test(text)) {
    const chunk = await Promise.race([reader.read(), sleep(deadline - Date.now()).then(() => null)]);
    if (!chunk) break;
    if (chunk.done) return { text, done: true };
    text += new TextDecoder().decode(chunk.value);
  }
  return { text, done: false };
}

describe('event streams', () => {
  it('end when their session ends or loses its role, with a generic error event carrying a request id', async () => {
    const { database } = await useTestDatabase();
    const runtime = await useTestRuntime(database, { strategies: [slow()] });
    const admin = await signedIn(database, 'admin');
    const viewer = await signedIn(database, 'viewer');
    const started = await runs.POST(request('/api/runs', { session: admin.session, body: { scope: { all: true }, concurrency: 1 } }), undefined);
    const { runId } = (await started.json()) as { runId: string };
    const open = (session: string) => runEvents.GET(request(`/api/runs/${runId}/events`, { session }), { params: Promise.resolve({ id: runId }) });

    const afterLogout = (await open(viewer.session)).body!.getReader();
    expect((await readUntil(afterLogout, /event: progress/, 5000)).text).toMatch(/event: progress/);
    const loggedOut = await logout.POST(request('/api/auth/logout', { session: viewer.session }), undefined);
    expect(loggedOut.status).toBe(200);
    const ended = await readUntil(afterLogout, /event: error[\s\S]*$/, 8000);
    expect(ended.text).toMatch(/event: error\ndata: \{"type":"error","code":"unauthenticated","message":"Access ended: sign in again","requestId":"[0-9a-f-]{36}"\}/);
    expect((await readUntil(afterLogout, /never/, 2000)).done).toBe(true);

    // Losing the role ends it too (a viewer has nothing below it to be demoted to: disabled).
    const other = await signedIn(database, 'viewer', 'other@example.com');
    const demoted = (await open(other.session)).body!.getReader();
    await readUntil(demoted, /event: progress/, 5000);
    await database.rows(sql`update operators set disabled_at = now() where id = ${other.id}`);
    expect((await readUntil(demoted, /event: error/, 8000)).text).toMatch(/"code":"unauthenticated"/);
  });

  it('are bounded per session: the next one answers 429, and a closed one frees its place', async () => {
    const { database } = await useTestDatabase();
    const runtime = await useTestRuntime(database, { strategies: [slow()] });
    const operator = await signedIn(database, 'operator');
    const { runId } = (await (await runs.POST(request('/api/runs', { session: operator.session, body: { scope: { all: true }, concurrency: 1 } }), undefined)).json()) as { runId: string };
    const open = () => runEvents.GET(request(`/api/runs/${runId}/events`, { session: operator.session }), { params: Promise.resolve({ id: runId }) });
    const streams: Response[] = [];
    for (let i = 0; i < MAX_STREAMS_PER_SESSION; i++) {
      const response = await open();
      expect(response.status).toBe(200);
      streams.push(response);
    }
    const refused = await open();
    expect(await errorOf(refused)).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(refused.headers.get('retry-after')).toBe('5');
    // Another session has places of its own.
    const other = await signedIn(database, 'viewer');
    expect((await runEvents.GET(request(`/api/runs/${runId}/events`, { session: other.session }), { params: Promise.resolve({ id: runId }) })).status).toBe(200);
    await streams[0]!.body!.cancel();
    expect((await open()).status).toBe(200);
  });
});

describe('public errors', () => {
  it('/api/ready says the database is not answering, with a request id, and never the driver’s message', async () => {
    // The runtime as /api/ready sees it, over a real connection to a database that does not exist.
    const broken = await openPostgres(databaseUrl('kiln_no_such_database_for_ready'), 1);
    const uninstall = installRuntimeForTests({ phase: () => 'ready', database: broken, logger: pino({ level: 'silent' }) } as unknown as Runtime);
    try {
      const response = await ready.GET(request('/api/ready'));
      expect(response.status).toBe(503);
      const text = await response.text();
      expect(text).not.toMatch(/kiln_no_such_database_for_ready|does not exist|postgres/i);
      expect(JSON.parse(text)).toMatchObject({ ready: false, checks: { database: { ok: false, detail: 'not answering' } }, requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    } finally {
      uninstall();
      await broken.close();
    }
  });
});
