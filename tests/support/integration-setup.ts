import postgres from 'postgres';
import { Redis } from 'ioredis';
import type { TestProject } from 'vitest/node';
import { buildTemplates } from './build-templates';
import { TEST_DATABASE_URL, TEST_REDIS_URL, databaseUrl, randomId } from './env';

/**
 * Once per integration run: checks that the real Postgres and Redis answer, and builds two template
 * databases (migrated; migrated and seeded) that each test copies with CREATE DATABASE ... TEMPLATE
 * in a fraction of a second. Every database of the run is dropped at the end.
 */
declare module 'vitest' {
  export interface ProvidedContext {
    runPrefix: string;
    emptyTemplate: string;
    shopTemplate: string;
    seedNow: string;
  }
}

export default async function setup(project: TestProject) {
  // Names carry the start minute so a later run can clear what a crashed run left behind.
  const runPrefix = `kiln_t_${Math.floor(Date.now() / 60_000)}_${randomId(5)}`;
  const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    await admin`select 1`;
  } catch (error) {
    throw new Error(`Integration tests need Postgres at ${TEST_DATABASE_URL} (set TEST_DATABASE_URL): ${(error as Error).message}`);
  }
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 3000 });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(`Integration tests need Redis at ${TEST_REDIS_URL} (set TEST_REDIS_URL): ${(error as Error).message}`);
  } finally {
    redis.disconnect();
  }

  await dropStaleDatabases(admin);
  const emptyTemplate = `${runPrefix}_tpl_empty`;
  const shopTemplate = `${runPrefix}_tpl_shop`;
  const seedNow = new Date().toISOString();
  await admin.unsafe(`create database ${emptyTemplate}`);
  await admin.unsafe(`create database ${shopTemplate}`);

  await buildTemplates(databaseUrl(emptyTemplate), databaseUrl(shopTemplate), new Date(seedNow));

  project.provide('runPrefix', runPrefix);
  project.provide('emptyTemplate', emptyTemplate);
  project.provide('shopTemplate', shopTemplate);
  project.provide('seedNow', seedNow);

  return async () => {
    const names = await admin<{ datname: string }[]>`select datname from pg_database where datname like ${runPrefix + '%'}`;
    for (const { datname } of names) await admin.unsafe(`drop database if exists ${datname} with (force)`);
    await admin.end();
  };
}

async function dropStaleDatabases(admin: postgres.Sql): Promise<void> {
  const rows = await admin<{ datname: string }[]>`select datname from pg_database where datname like 'kiln_t_%'`;
  const nowMinute = Math.floor(Date.now() / 60_000);
  for (const { datname } of rows) {
    const minute = Number(datname.split('_')[2]);
    if (Number.isFinite(minute) && nowMinute - minute > 180) {
      await admin.unsafe(`drop database if exists ${datname} with (force)`).catch(() => {});
    }
  }
}
