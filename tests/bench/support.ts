// Shared by the benchmarks: a seeded shop database of their own, and a Kiln server on it.
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { type Database, openPostgres } from '@/server/db/client';
import { applyMigrations } from '@/server/db/migrate';
import { seedShop } from '@/server/db/seed/seed-shop';

export const print = (line: Record<string, unknown>) => console.log(JSON.stringify(line));
export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** The database at `url`, created if missing, migrated, with a shop of exactly `products` (seeded once). */
export async function ensureShopDatabase(url: string, products: number): Promise<Database> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const adminUrl = new URL(url);
  adminUrl.pathname = '/postgres';
  const admin = postgres(adminUrl.toString(), { max: 1, onnotice: () => {} });
  const [exists] = await admin`select 1 from pg_database where datname = ${name}`;
  if (!exists) await admin.unsafe(`create database "${name.replace(/"/g, '""')}"`);
  await admin.end();
  const database = await openPostgres(url, 20);
  await applyMigrations(database);
  const [row] = await database.rows<{ n: number }>(sql`select count(*)::int as n from products`);
  if (row!.n !== products) {
    console.error(`Seeding ${products} products into ${database.describe()} (once; later runs reuse them)...`);
    const seeded = await seedShop(database, { products, seed: 42, reset: true });
    print({ measurement: 'seed', rows: seeded.totalRows, seconds: round(seeded.seconds), rowsPerSecond: seeded.rowsPerSecond });
  }
  return database;
}

/** Latency percentiles (ms) of a list of samples. */
export function percentiles(samples: number[]): { p50: number; p95: number; p99: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0, 1);
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: round(sorted.at(-1) ?? 0, 1) };
}
