import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { productKey } from '@/server/contexts/catalog/product-key';
import { loadProductsJson } from '@/server/contexts/catalog/load-products-json';
import { openPostgres } from '@/server/db/client';
import { spawnTsChild } from '../support/child-process';
import { startLogicalShop, testRedisCache, waitFor } from '../support/freshness';
import { figure } from '../support/scenario-reporter';
import { TEST_REDIS_URL } from '../support/env';

describe('the change stream across a Postgres restart', () => {
  it('a consumer streaming when Postgres restarts lets it stop fast, streams again and re-warms the changes made after', async ({ task }) => {
    const { server, url } = await startLogicalShop();
    const { cache, prefix } = testRedisCache();
    const setup = await openPostgres(url, 2);
    let writer = postgres(url, { max: 1, onnotice: () => {} });
    const env = { DATABASE_URL: url, REDIS_URL: TEST_REDIS_URL, CACHE_KEY_PREFIX: prefix, KILN_CHANGE_STREAM: 'logical', LOG_LEVEL: 'info', WARMUP_ON_STARTUP: 'false' };
    const consumer = spawnTsChild('tests/support/freshness-consumer.ts', [], env);
    try {
      const ids = (await writer<{ id: number }[]>`select id from products where status = 'active' order by id limit 50`).map((r) => r.id);
      const values = await loadProductsJson(setup, ids);
      await cache.setMany(ids.map((id, i) => ({ key: productKey(id), value: values[i]!, ttlSeconds: 3600 })));
      await setup.close();
      await consumer.waitFor('started', 60_000);
      const streamingSince = async (since: Date) => {
        const [row] = await writer<{ state: string; updated_at: Date }[]>`select state, updated_at from change_stream_state`;
        return row?.state === 'streaming' && row.updated_at > since ? row : null;
      };
      await waitFor('the consumer to stream', () => streamingSince(new Date(0)), 60_000);

      // Changes stream and are re-warmed; then the server stops (fast) while the consumer streams.
      let stock = 5000;
      const expected = new Map<number, number>();
      const update = async (id: number) => {
        stock++;
        await writer`update products set stock = ${stock} where id = ${id}`;
        expected.set(id, stock);
      };
      const allCached = async () => {
        const cached = await cache.getMany([...expected.keys()].map(productKey));
        return [...expected.values()].every((s, i) => cached[i] !== null && JSON.parse(cached[i]!).stock === s);
      };
      for (const id of ids.slice(0, 25)) await update(id);
      await waitFor('the first changes re-warmed', allCached, 30_000);
      await writer.end();

      const stopStarted = Date.now();
      const how = await server.stop({ timeoutMs: 20_000 });
      const stopSeconds = (Date.now() - stopStarted) / 1000;
      figure(task, 'fast shutdown with a consumer streaming: seconds', Math.round(stopSeconds * 10) / 10);
      figure(task, 'shutdown taken', how);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const upAt = new Date();
      await server.start();
      writer = postgres(url, { max: 1, onnotice: () => {} });

      // The consumer takes the stream again by itself, and the changes made since are re-warmed.
      await waitFor('the consumer to stream again', () => streamingSince(upAt), 60_000).catch((error) => {
        console.log(consumer.lines.map((l) => JSON.stringify(l)).join('\n'));
        throw error;
      });
      figure(task, 'seconds from Postgres up to streaming again', Math.round((Date.now() - upAt.getTime()) / 100) / 10);
      for (const id of ids.slice(25)) await update(id);
      const changedAt = Date.now();
      await waitFor('the changes after the restart re-warmed', allCached, 30_000);
      figure(task, 'seconds to re-warm the 25 changes after the restart', Math.round((Date.now() - changedAt) / 100) / 10);
      expect(how).toBe('fast');
      expect(stopSeconds).toBeLessThan(10);
      expect(expected.size).toBe(50);
    } finally {
      consumer.process.kill('SIGTERM');
      await writer.end({ timeout: 1 }).catch(() => {});
    }
  });
});
