import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadStreamState } from '@/server/freshness/freshness-store';
import { checkSlot } from '@/server/freshness/slot-guard';
import { postgresQuery } from '@/server/freshness/stream-setup';
import { type ShopServer, startShopServer, startTestConsumer, testRedisCache, waitFor } from '../../support/freshness';

// The replication slot is Kiln's: created when the stream starts, kept across a stop (a restart
// resumes from it), dropped when the stream is turned off or when it retains more WAL than its bound.
describe('the replication slot', () => {
  let server: ShopServer;
  beforeAll(async () => {
    server = await startShopServer('logical');
  }, 120_000);
  afterAll(async () => {
    await server?.destroy();
  });

  const slots = async (admin: import('postgres').Sql) =>
    (await admin<{ slot_name: string; active: boolean }[]>`select slot_name, active from pg_replication_slots where database = current_database()`).map((s) => s.slot_name);

  /** WAL the slot must keep: a row, then a switch to a new 16 MB segment. */
  async function growWal(admin: import('postgres').Sql): Promise<void> {
    await admin`create table if not exists wal_filler (id serial primary key, pad text)`;
    await admin`insert into wal_filler (pad) select md5(g::text) || repeat('x', 1000) from generate_series(1, 3000) g`;
    await admin`select pg_switch_wal()`;
  }

  test('is named after the database, kept when the consumer stops, and dropped when the stream is turned off', async () => {
    const shop = await server.shop();
    const { cache } = testRedisCache();
    const [{ db }] = (await shop.admin<{ db: string }[]>`select current_database() as db`) as unknown as [{ db: string }];
    const first = startTestConsumer(shop.database, cache, { mode: 'logical' });
    await waitFor('streaming', () => first.consumer.status.state === 'streaming');
    expect(await slots(shop.admin)).toEqual([`kiln_${db}`]);
    await first.consumer.stop();
    expect(await slots(shop.admin)).toEqual([`kiln_${db}`]);

    const off = startTestConsumer(shop.database, cache, { mode: 'off' });
    await waitFor('turned off', () => off.consumer.status.state === 'off');
    await waitFor('the slot dropped', async () => (await slots(shop.admin)).length === 0);
    await waitFor('the state saying so', async () => (await loadStreamState(shop.database))?.state === 'off');
  });

  test('the guard warns past half its bound and drops an abandoned slot past it; the next consumer starts a new one', async () => {
    const shop = await server.shop();
    const { cache } = testRedisCache();
    const first = startTestConsumer(shop.database, cache, { mode: 'logical' });
    await waitFor('streaming', () => first.consumer.status.state === 'streaming');
    const slot = first.consumer.status.slot!;
    await first.consumer.stop();
    await growWal(shop.admin);

    const query = postgresQuery(shop.admin);
    const [{ retained }] = (await shop.admin<{ retained: string }[]>`
      select pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::text as retained from pg_replication_slots where slot_name = ${slot}`) as unknown as [{ retained: string }];
    expect(Number(retained)).toBeGreaterThan(3 * 1024 * 1024);
    expect((await checkSlot(query, slot, Number(retained) * 3)).action).toBe('none');
    const warned = await checkSlot(query, slot, Math.floor(Number(retained) * 1.5));
    expect(warned.action).toBe('warned');
    expect(await slots(shop.admin)).toEqual([slot]);

    // A replica starting with a 1 MB bound finds the abandoned slot past it: dropped, then made anew.
    const next = startTestConsumer(shop.database, cache, { mode: 'logical', env: { KILN_SLOT_MAX_RETAINED_MB: '1' } });
    await waitFor('streaming', () => next.consumer.status.state === 'streaming');
    const state = await waitFor('the drop on record', async () => {
      const s = await loadStreamState(shop.database);
      return s?.droppedAt ? s : null;
    });
    expect(state.dropReason).toMatch(/retained .* MB of WAL, over the 1\.0 MB bound/);
    const [fresh] = await shop.admin<{ retained: string }[]>`
      select pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::text as retained from pg_replication_slots where slot_name = ${slot}`;
    expect(Number(fresh!.retained)).toBeLessThan(1024 * 1024);
  });
});
