import 'server-only';
import { sql } from 'drizzle-orm';
import type { Logger } from '../../logger';
import type { Database } from '../client';
import { auditLog } from '../schema';
import { seedShop } from './seed-shop';

const DEMO_SEED = 42;

/**
 * On a database whose shop is empty, builds the small demo shop so a bare `npm start` has real data
 * to warm. The start and the end are written to the audit log: a seed cut short by a killed process
 * is found on the next start and done again rather than left half-built.
 */
export async function seedDemoShopIfEmpty(database: Database, products: number, logger: Logger): Promise<boolean> {
  const [state] = await database.rows<{ products: number; started: number; completed: number }>(sql`
    select (select count(*)::int from products) as products,
           (select count(*)::int from audit_log where action = 'demo_seed.started') as started,
           (select count(*)::int from audit_log where action = 'demo_seed.completed') as completed`);
  const interrupted = (state?.started ?? 0) > (state?.completed ?? 0);
  if ((state?.products ?? 0) > 0 && !interrupted) return false;

  logger.info({ products, interrupted }, interrupted ? 'Demo shop seed was interrupted: seeding again' : 'Empty shop: seeding the demo shop');
  await database.db.insert(auditLog).values({ actor: 'system', action: 'demo_seed.started', after: { products, seed: DEMO_SEED } });
  const result = await seedShop(database, { products, seed: DEMO_SEED, reset: true });
  await database.db.insert(auditLog).values({ actor: 'system', action: 'demo_seed.completed', after: result.rows });
  logger.info({ rows: result.rows, seconds: Number(result.seconds.toFixed(2)) }, `Demo shop seeded: ${result.totalRows} rows in ${result.seconds.toFixed(1)} s`);
  return true;
}
