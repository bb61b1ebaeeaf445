import postgres from 'postgres';
import { inject, onTestFinished } from 'vitest';
import { type Database, openPostgres } from '@/server/db/client';
import { TEST_DATABASE_URL, databaseUrl, randomId } from './env';

export type TestDatabase = { database: Database; url: string; name: string; seedNow: Date };

/**
 * A database of its own for a test (or a file), copied from the run's template: migrated, and with
 * the seeded demo shop when `shop` is true. Dropped when the test (or the caller's cleanup) ends.
 */
export async function createTestDatabase(options: { shop?: boolean } = {}): Promise<TestDatabase & { drop: () => Promise<void> }> {
  const template = options.shop ? inject('shopTemplate') : inject('emptyTemplate');
  const name = `${inject('runPrefix')}_${randomId(8)}`;
  const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
  try {
    // Two workers copying one template at the same moment can collide; the copy is retried.
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.unsafe(`create database ${name} template ${template}`);
        break;
      } catch (error) {
        if (attempt >= 10 || !/being accessed by other users/.test((error as Error).message)) throw error;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  } finally {
    await admin.end();
  }
  const url = databaseUrl(name);
  const database = await openPostgres(url, 5);
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    await database.close();
    const cleaner = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
    await cleaner.unsafe(`drop database if exists ${name} with (force)`).finally(() => cleaner.end());
  };
  return { database, url, name, seedNow: new Date(inject('seedNow')), drop };
}

/** createTestDatabase for one test: dropped when the test finishes. */
export async function useTestDatabase(options: { shop?: boolean } = {}): Promise<TestDatabase> {
  const db = await createTestDatabase(options);
  onTestFinished(db.drop);
  return db;
}
