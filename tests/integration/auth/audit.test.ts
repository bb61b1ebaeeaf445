import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { GET } from '@/app/api/audit/route';
import type { AuditPage } from '@/lib/api/audit';
import { recordAudit } from '@/server/audit/record-audit';
import type { Database } from '@/server/db/client';
import { useTestDatabase } from '../../support/db';
import { useTestRuntime } from '../../support/runtime';
import { errorOf, request, signedIn } from '../../support/api';

async function setup() {
  const { database } = await useTestDatabase();
  await useTestRuntime(database);
  const viewer = await signedIn(database, 'viewer');
  await database.rows(sql`delete from audit_log`);
  return { database, viewer };
}

/** 25 entries over 5 instants, 5 of them sharing each instant down to the microsecond. */
async function seedEntries(database: Database) {
  await database.rows(sql`
    insert into audit_log (at, actor, actor_role, action, target, outcome)
    select '2026-03-01T10:00:00.123456Z'::timestamptz + (i % 5) * interval '1 hour',
           case when i % 2 = 0 then 'ada@example.com' else 'token:ci' end,
           'operator',
           case when i % 3 = 0 then 'run.trigger' when i % 3 = 1 then 'operator.update' else 'operator.create' end,
           'thing:' || i,
           case when i % 4 = 0 then 'denied' else 'ok' end
    from generate_series(1, 25) as i`);
}

async function page(session: string, query: string): Promise<AuditPage> {
  const response = await GET(request(`/api/audit?${query}`, { session }), undefined);
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as AuditPage;
}

async function idsBySql(database: Database, where = sql`true`): Promise<number[]> {
  const rows = await database.rows<{ id: number }>(sql`select id::int as id from audit_log where ${where} order by at desc, id desc`);
  return rows.map((r) => r.id);
}

describe('GET /api/audit', () => {
  it('pages through every entry newest first, unchanged by entries appended meanwhile', async () => {
    const { database, viewer } = await setup();
    await seedEntries(database);
    const expected = await idsBySql(database);

    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const result: AuditPage = await page(viewer.session, `limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...result.entries.map((e) => e.id));
      cursor = result.nextCursor;
      pages++;
      // Newer entries arriving while someone pages must not shift what comes after the cursor.
      await recordAudit(database.db, { actor: 'system', action: 'test.appended', target: `page:${pages}` });
    } while (cursor);
    expect(pages).toBe(4);
    expect(seen).toEqual(expected);
  });

  it('filters by actor, action (exact or a family), outcome and a time range', async () => {
    const { database, viewer } = await setup();
    await seedEntries(database);
    const ids = async (query: string) => (await page(viewer.session, `limit=200&${query}`)).entries.map((e) => e.id);
    expect(await ids('actor=token%3Aci')).toEqual(await idsBySql(database, sql`actor = 'token:ci'`));
    expect(await ids('action=run.trigger')).toEqual(await idsBySql(database, sql`action = 'run.trigger'`));
    expect(await ids('action=operator.*')).toEqual(await idsBySql(database, sql`action like 'operator.%'`));
    expect(await ids('outcome=denied&actor=ada%40example.com')).toEqual(await idsBySql(database, sql`outcome = 'denied' and actor = 'ada@example.com'`));
    // from is inclusive, to exclusive.
    const range = await ids('from=2026-03-01T11:00:00.123456Z&to=2026-03-01T13:00:00.123456Z');
    expect(range).toEqual(await idsBySql(database, sql`at >= '2026-03-01T11:00:00.123456Z' and at < '2026-03-01T13:00:00.123456Z'`));
    expect(range).toHaveLength(10);
    const entry = (await page(viewer.session, 'limit=1')).entries[0]!;
    expect(entry).toMatchObject({ at: '2026-03-01T14:00:00.123456Z', actorRole: 'operator', before: null, after: null });
  });

  it('answers bad query parameters with 400 naming the parameter', async () => {
    const { viewer } = await setup();
    const cases: [string, string][] = [
      ['limit=1.5', 'limit'],
      ['limit=0', 'limit'],
      ['limit=201', 'limit'],
      ['limit=ten', 'limit'],
      ['outcome=maybe', 'outcome'],
      ['from=yesterday', 'from'],
      ['from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z', 'to'],
      ['action=DROP%20TABLE', 'action'],
      ['sort=asc', 'sort'],
      ['cursor=bm9wZQ', 'cursor'],
      ['actor=a&actor=b', 'actor'],
    ];
    for (const [query, field] of cases) {
      const error = await errorOf(await GET(request(`/api/audit?${query}`, { session: viewer.session }), undefined));
      expect([error.status, error.field], query).toEqual([400, field]);
    }
  });
});

describe('recordAudit', () => {
  it('writes nothing when the transaction it is part of fails', async () => {
    const { database } = await setup();
    await expect(
      database.db.transaction(async (tx) => {
        await recordAudit(tx, { actor: 'system', action: 'run.trigger', target: 'run:x' });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await idsBySql(database)).toEqual([]);
  });

  it('refuses an action that is not a dotted lower-case name', async () => {
    const { database } = await setup();
    await expect(recordAudit(database.db, { actor: 'system', action: 'Login' })).rejects.toThrow(/dotted/);
  });
});
