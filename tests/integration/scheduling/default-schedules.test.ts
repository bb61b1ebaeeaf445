import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createSchedule } from '@/server/scheduling/create-schedule';
import { DEFAULTS_MARKER, ensureDefaultSchedules } from '@/server/scheduling/default-schedules';
import { deleteSchedule } from '@/server/scheduling/delete-schedule';
import { listSchedules } from '@/server/scheduling/list-schedules';
import { updateSchedule } from '@/server/scheduling/update-schedule';
import { spawnTsChild } from '../../support/child-process';
import { useTestDatabase } from '../../support/db';
import { writeContext } from '../../support/scheduling';

const CHILD = 'tests/support/schedule-child.ts';

/** DESIGN.md's table, read independently of the code that creates them. */
const DESIGN = [
  { name: 'Category refresh', cron: '0 */6 * * *', scope: { strategies: ['categories'] }, concurrency: null, onlyMissing: false },
  { name: 'Incremental hot data', cron: '*/30 * * * *', scope: { strategies: ['hot_products'] }, concurrency: 10, onlyMissing: true },
  { name: 'Nightly full warmup', cron: '0 2 * * *', scope: { all: true }, concurrency: 50, onlyMissing: false },
  { name: 'Pre-peak warmup', cron: '30 8 * * *', scope: { strategies: ['hot_products', 'recommendations'] }, concurrency: null, onlyMissing: false },
  { name: 'Weekend promotion warmup', cron: '0 1 * * 6', scope: { all: true }, concurrency: 100, onlyMissing: false },
];

const markers = async (database: Parameters<typeof listSchedules>[0]) =>
  (await database.rows<{ n: number }>(sql`select count(*)::int as n from audit_log where action = ${DEFAULTS_MARKER}`))[0]!.n;

describe('the default schedules', () => {
  it('are created on the first start with an empty table, in the process time zone, enabled, with the default misfire policy', async () => {
    const { database } = await useTestDatabase();
    expect(await ensureDefaultSchedules(writeContext(database, 'Europe/Berlin'))).toEqual({ created: expect.arrayContaining(DESIGN.map((d) => d.name)) });
    const views = await listSchedules(database);
    expect(views.map(({ name, cron, scope, concurrency, onlyMissing }) => ({ name, cron, scope, concurrency, onlyMissing }))).toEqual(DESIGN);
    expect(views.every((v) => v.timezone === 'Europe/Berlin' && v.enabled && v.misfirePolicy === 'run_once' && v.misfireGraceSeconds === 600 && v.createdBy === 'system')).toBe(true);
    expect(await markers(database)).toBe(1);
  });

  it('are never created again: not on the next start, not after an operator deleted them all', async () => {
    const { database } = await useTestDatabase();
    const context = writeContext(database);
    await ensureDefaultSchedules(context);
    const [nightly] = (await listSchedules(database)).filter((v) => v.name === 'Nightly full warmup');
    await updateSchedule(context, nightly!.id, { cron: '0 3 * * *' }, 'alice');
    expect(await ensureDefaultSchedules(context)).toEqual({ created: [] });
    expect((await listSchedules(database)).find((v) => v.name === 'Nightly full warmup')!.cron).toBe('0 3 * * *');

    for (const view of await listSchedules(database)) await deleteSchedule(database, view.id, 'alice');
    expect(await ensureDefaultSchedules(context)).toEqual({ created: [] });
    expect(await listSchedules(database)).toEqual([]);
    expect(await markers(database)).toBe(1);
  });

  it('are not added to a database that already has schedules on its first start', async () => {
    const { database } = await useTestDatabase();
    const context = writeContext(database);
    await createSchedule(context, { name: 'Mine', cron: '0 4 * * *', scope: { all: true } }, 'alice');
    expect(await ensureDefaultSchedules(context)).toEqual({ created: [] });
    expect((await listSchedules(database)).map((v) => v.name)).toEqual(['Mine']);
    const [marker] = await database.rows<{ after: unknown }>(sql`select after from audit_log where action = ${DEFAULTS_MARKER}`);
    expect(marker!.after).toEqual({ created: [], reason: 'the table already had 1 schedule(s)' });
  });

  it('are created once when three processes start at the same moment', async () => {
    const { database, url } = await useTestDatabase();
    const children = [0, 1, 2].map(() => spawnTsChild(CHILD, ['--db', url, '--defaults', '--no-runner']));
    await Promise.all(children.map((c) => c.waitFor('ready')));
    for (const child of children) child.send(JSON.stringify({ cmd: 'start' }));
    const results = await Promise.all(children.map((c) => Promise.race([c.waitFor('defaults'), c.waitFor('error')])));
    expect(results.map((r) => r.event)).toEqual(['defaults', 'defaults', 'defaults']);
    expect(results.map((r) => (r.created as string[]).length).sort()).toEqual([0, 0, 5]);
    expect((await listSchedules(database)).map((v) => v.name)).toEqual(DESIGN.map((d) => d.name));
    expect(await markers(database)).toBe(1);
    for (const child of children) child.send(JSON.stringify({ cmd: 'stop' }));
    await Promise.all(children.map((c) => c.waitFor('stopped')));
  });
});
