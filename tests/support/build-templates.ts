import { openPostgres } from '@/server/db/client';
import { applyMigrations } from '@/server/db/migrate';
import { seedShop } from '@/server/db/seed/seed-shop';

/** The shop every seeded test database starts from: small, deterministic (seed 42). */
export const TEST_SHOP = { products: 600, seed: 42 } as const;

export async function buildTemplates(emptyUrl: string, shopUrl: string, now: Date): Promise<void> {
  for (const url of [emptyUrl, shopUrl]) {
    const database = await openPostgres(url, 2);
    try {
      await applyMigrations(database);
      if (url === shopUrl) await seedShop(database, { ...TEST_SHOP, now });
    } finally {
      await database.close();
    }
  }
}
