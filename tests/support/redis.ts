import { Redis } from 'ioredis';
import { TEST_REDIS_URL, randomId } from './env';

/** A key prefix no other test uses, and a cleanup that deletes every key under it. */
export function uniquePrefix(label = 'test'): string {
  return `kiln-test:${label}:${randomId(10)}:`;
}

export async function deleteKeysWithPrefix(prefix: string): Promise<number> {
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) deleted += await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

/** A raw client for assertions that must look at Redis directly, not through Kiln's adapter. */
export function rawRedis(): Redis {
  return new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
}
