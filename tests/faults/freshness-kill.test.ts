import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { productKey } from '@/server/contexts/catalog/product-key';
import { loadProductsJson } from '@/server/contexts/catalog/load-products-json';
import { openPostgres } from '@/server/db/client';
import { spawnTsChild } from '../support/child-process';
import { startLogicalShop, testRedisCache, waitFor } from '../support/freshness';
import { figure } from '../support/scenario-reporter';
import { TEST_REDIS_URL } from '../support/env';

describe('re-warming on change across a kill', () => {
  it('a Kiln process SIGKILLed while updates stream leaves nothing behind: the next one re-warms every change', async ({ task }) => {
    const { url } = await startLogicalShop();
    const { cache, prefix } = testRedisCache();
    const database = await openPostgres(url, 3);
    const writer = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const ids = (await writer<{ id: number }[]>`select id from products where status = 'active' order by id limit 200`).map((r) => r.id);
      const values = await loadProductsJson(database, ids);
      await cache.setMany(ids.map((id, i) => ({ key: productKey(id), value: values[i]!, ttlSeconds: 3600 })));
      const env = { DATABASE_URL: url, REDIS_URL: TEST_REDIS_URL, CACHE_KEY_PREFIX: prefix, KILN_CHANGE_STREAM: 'logical', LOG_LEVEL: 'warn', WARMUP_ON_STARTUP: 'false' };
      const streaming = async () => {
        const [row] = await writer<{ state: string; holder: string }[]>`select state, holder from change_stream_state`;
        return row?.state === 'streaming' ? row : null;
      };

      const first = spawnTsChild('tests/support/freshness-consumer.ts', [], env);
      await first.waitFor('started', 60_000);
      await waitFor('the first process to stream', streaming, 60_000);
      // Updates keep coming; the first process is killed in the middle of them.
      let stock = 1000;
      const expected = new Map<number, number>();
      const update = async () => {
        const id = ids[stock % ids.length]!;
        stock++;
        await writer`update products set stock = ${stock} where id = ${id}`;
        expected.set(id, stock);
      };
      for (let i = 0; i < 150; i++) await update();
      first.process.kill('SIGKILL');
      for (let i = 0; i < 150; i++) await update();

      const second = spawnTsChild('tests/support/freshness-consumer.ts', [], env);
      await second.waitFor('started', 60_000);
      const started = Date.now();
      await waitFor(
        'every update in the cache',
        async () => {
          const cached = await cache.getMany([...expected.keys()].map(productKey));
          return [...expected.values()].every((s, i) => cached[i] !== null && JSON.parse(cached[i]!).stock === s);
        },
        90_000,
      );
      figure(task, 'kill during streaming: products updated', expected.size);
      figure(task, 'kill during streaming: seconds for the next process to catch up', Math.round((Date.now() - started) / 100) / 10);
      expect(expected.size).toBe(200);
    } finally {
      await writer.end();
      await database.close();
    }
  });
});
