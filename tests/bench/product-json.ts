// Measures the catalog reads behind the product warmups on a big shop (not a test: numbers, no asserts).
//   node server/cli/run.mjs tests/bench/product-json.ts [--url postgres://...] [--now ISO] [--batch 1000]
//        [--limit N] [--concurrency 1]
// Read-only: it never writes to the database it measures.
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { openPostgres } from '../../server/db/client';
import { loadRecommendationJson } from '../../server/contexts/catalog/load-recommendation-json';
import { RECOMMENDATION_LISTS } from '../../server/contexts/catalog/recommendation-lists';
import { productCatalogStrategy } from '../../server/contexts/catalog/product-catalog-strategy';
import { loadTopSellers } from '../../server/contexts/ordering/load-top-sellers';
import { daysBefore } from '../../server/contexts/ordering/paid-order-filter';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
    now: { type: 'string' },
    batch: { type: 'string', default: '1000' },
    limit: { type: 'string', default: '0' },
    concurrency: { type: 'string', default: '1' },
  },
});
const batchSize = Number(values.batch);
const limit = Number(values.limit) || Infinity;
const concurrency = Math.max(1, Number(values.concurrency));

const database = await openPostgres(values.url!, concurrency + 2);
try {
  const [latest] = await database.rows<{ at: string }>(sql`select max(paid_at)::text as at from orders`);
  const now = values.now ? new Date(values.now) : new Date(new Date(latest!.at).getTime() + 60_000);
  const ctx = { database, options: {}, signal: new AbortController().signal, now, batchSize };
  console.log(`now ${now.toISOString()}, batches of ${batchSize}, ${concurrency} in flight`);

  // Keys: keyset pages alone.
  let started = performance.now();
  const batches: string[][] = [];
  let keyCount = 0;
  for await (const keys of productCatalogStrategy.keys(ctx)) {
    batches.push(keys);
    keyCount += keys.length;
    if (keyCount >= limit) break;
  }
  const keySeconds = (performance.now() - started) / 1000;
  console.log(`keys(): ${keyCount} keys in ${keySeconds.toFixed(2)} s = ${Math.round(keyCount / keySeconds)} keys/s`);

  // loadMany: one query per batch, `concurrency` batches at once.
  let rows = 0;
  let bytes = 0;
  let queryMs = 0;
  let next = 0;
  started = performance.now();
  const worker = async () => {
    while (next < batches.length) {
      const keys = batches[next++]!;
      const t = performance.now();
      const values = await productCatalogStrategy.loadMany!(keys, ctx);
      queryMs += performance.now() - t;
      for (const value of values) if (value !== null) ((rows += 1), (bytes += value.length));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wall = (performance.now() - started) / 1000;
  console.log(
    `loadMany: ${rows} values in ${wall.toFixed(2)} s = ${Math.round(rows / wall)} rows/s ` +
      `(${(queryMs / batches.length).toFixed(1)} ms a batch, ${Math.round(bytes / rows)} bytes a value)`,
  );

  for (const days of [30, 7]) {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      await loadTopSellers(database, { from: daysBefore(now, days), until: now }, 100);
      times.push(performance.now() - t);
    }
    console.log(`hot_products top 100 over ${days} days: ${times.map((t) => t.toFixed(0)).join(', ')} ms`);
  }
  for (const list of RECOMMENDATION_LISTS) {
    const t = performance.now();
    await loadRecommendationJson(database, list, { size: 20 }, now);
    console.log(`recommendations:${list}: ${(performance.now() - t).toFixed(0)} ms`);
  }
} finally {
  await database.close();
}
