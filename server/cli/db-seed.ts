import 'server-only';
import { parseArgs } from 'node:util';
import { seedShop } from '../db/seed/seed-shop';
import { runCli, openMigratedDatabase } from './cli-support';
import { ProgressBar, formatCount } from './progress-bar';

const USAGE = `usage: npm run db:seed -- [--products N] [--seed N] [--now ISO-TIME] [--reset]
  --products  how many products (default 5000); users, orders and sessions scale with it
  --seed      the random seed (default 42): the same seed and time build the same shop
  --now       the moment the data is built around (default: now)
  --reset     empty the shop tables first (otherwise a shop with data is refused)`;

runCli(async () => {
  const { values } = parseArgs({
    options: {
      products: { type: 'string', default: '5000' },
      seed: { type: 'string', default: '42' },
      now: { type: 'string' },
      reset: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const products = Number(values.products);
  const seed = Number(values.seed);
  const now = values.now ? new Date(values.now) : new Date();
  if (!Number.isInteger(products) || products < 10 || products > 10_000_000) {
    console.error(`--products must be a whole number from 10 to 10000000, got ${values.products}\n${USAGE}`);
    return 2;
  }
  if (!Number.isInteger(seed)) {
    console.error(`--seed must be a whole number, got ${values.seed}\n${USAGE}`);
    return 2;
  }
  if (Number.isNaN(now.getTime())) {
    console.error(`--now must be a date and time such as 2026-11-22T10:00:00Z, got ${values.now}\n${USAGE}`);
    return 2;
  }

  const database = await openMigratedDatabase();
  try {
    console.log(`Seeding ${formatCount(products)} products (seed ${seed}) into ${database.describe()}`);
    const bar = new ProgressBar();
    const result = await seedShop(database, {
      products,
      seed,
      now,
      reset: values.reset,
      onProgress: (p) =>
        bar.update(p.totalRows, p.totalExpected, `${p.table} ${formatCount(p.rows)} / ${formatCount(p.expected)}`),
    });
    bar.done();
    const tables = Object.entries(result.rows)
      .map(([t, n]) => `${t} ${formatCount(n)}`)
      .join(', ');
    console.log(tables);
    console.log(
      `Seeded ${formatCount(result.totalRows)} rows in ${result.seconds.toFixed(1)} s (${formatCount(result.rowsPerSecond)} rows/s)`,
    );
  } finally {
    await database.close();
  }
});
