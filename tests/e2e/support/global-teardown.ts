import postgres from 'postgres';
import { deleteKeysWithPrefix } from '../../support/redis';
import { E2E_ADMIN_DATABASE_URL, E2E_CACHE_PREFIX, E2E_DATABASE_NAME } from './e2e-env';

/** Drops the e2e run's database and cache keys, and any left behind by runs over 3 hours old. */
export default async function globalTeardown(): Promise<void> {
  const admin = postgres(E2E_ADMIN_DATABASE_URL, { max: 1, onnotice: () => {} });
  try {
    const rows = await admin<{ datname: string }[]>`select datname from pg_database where datname like 'kiln_e2e_%'`;
    const nowMinute = Math.floor(Date.now() / 60_000);
    for (const { datname } of rows) {
      const minute = Number(datname.split('_')[2]);
      if (datname === E2E_DATABASE_NAME || (Number.isFinite(minute) && nowMinute - minute > 180)) {
        await admin.unsafe(`drop database if exists ${datname} with (force)`);
      }
    }
  } finally {
    await admin.end();
  }
  await deleteKeysWithPrefix(E2E_CACHE_PREFIX);
}
