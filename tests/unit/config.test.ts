import { describe, expect, it, test } from 'vitest';
import { ConfigError, parseConfig } from '@/server/config';

describe('parseConfig', () => {
  it('uses embedded PGlite and the memory cache when nothing is set', () => {
    const config = parseConfig({});
    expect(config.port).toBe(3000);
    expect(config.database.kind).toBe('pglite');
    expect(config.database.kind === 'pglite' && config.database.dataDir).toMatch(/\.data\/pglite$/);
    expect(config.cache).toMatchObject({ kind: 'memory', maxBytes: 256 * 1024 * 1024, keyPrefix: '' });
    expect(config.warmupOnStartup).toBe(true);
    expect(config.timezone).toBe('UTC');
  });

  it('selects Postgres and Redis when their URLs are set', () => {
    const config = parseConfig({ DATABASE_URL: 'postgres://u:p@db:5432/shop', REDIS_URL: 'redis://cache:6379/1', PORT: '8080' });
    expect(config.database).toEqual({ kind: 'postgres', url: 'postgres://u:p@db:5432/shop', poolMax: 10 });
    expect(config.cache).toMatchObject({ kind: 'redis', url: 'redis://cache:6379/1' });
    expect(config.port).toBe(8080);
  });

  it('selects Redis Cluster from a node list', () => {
    const config = parseConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000, 10.0.0.2:7001' });
    expect(config.cache).toMatchObject({
      kind: 'redis-cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
      ],
    });
  });

  it('runs the workers in the server when the database or the cache cannot be shared, else in worker processes', () => {
    expect(parseConfig({}).workers).toMatchObject({ inServer: true, processes: 0 });
    expect(parseConfig({ DATABASE_URL: 'postgres://db/shop' }).workers).toMatchObject({ inServer: true, processes: 0 });
    expect(parseConfig({ DATABASE_URL: 'postgres://db/shop', REDIS_URL: 'redis://cache' }).workers).toMatchObject({ inServer: false, processes: 1, slots: 2 });
    expect(parseConfig({ DATABASE_URL: 'postgres://db/shop', REDIS_URL: 'redis://cache', KILN_WORKERS: '3', KILN_WORKER_SLOTS: '4' }).workers).toMatchObject({ inServer: false, processes: 3, slots: 4 });
    expect(parseConfig({ DATABASE_URL: 'postgres://db/shop', REDIS_URL: 'redis://cache', KILN_WORKER_IN_SERVER: 'true' }).workers.inServer).toBe(true);
    expect(() => parseConfig({ KILN_WORKER_IN_SERVER: 'false' })).toThrow(/KILN_WORKER_IN_SERVER: false needs DATABASE_URL and REDIS_URL/);
    expect(() => parseConfig({ KILN_WORKERS: '-1' })).toThrow(/KILN_WORKERS/);
    expect(parseConfig({ KILN_SHARD_KEYS: '2000', KILN_SHARD_SECONDS: '5' }).shards).toEqual({ keys: 2000, seconds: 5 });
    expect(() => parseConfig({ KILN_SHARD_SECONDS: '1' })).toThrow(/KILN_SHARD_SECONDS: must be at least 2/);
  });

  it('treats an empty variable as unset', () => {
    expect(parseConfig({ DATABASE_URL: '', PORT: '' }).database.kind).toBe('pglite');
  });

  it('names every bad variable at once', () => {
    let caught: unknown;
    try {
      parseConfig({ DATABASE_URL: 'not-a-url', PORT: '70000', REDIS_URL: 'http://x', WARMUP_ON_STARTUP: 'maybe', KILN_TIMEZONE: 'Mars/Base' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const variables = (caught as ConfigError).problems.map((p) => p.variable).sort();
    expect(variables).toEqual(['DATABASE_URL', 'KILN_TIMEZONE', 'PORT', 'REDIS_URL', 'WARMUP_ON_STARTUP']);
    expect((caught as ConfigError).message).toMatch(/DATABASE_URL: expected a postgres/);
  });

  it('lets 1000 shop reads a second through per address by default, and samples coverage every 5 minutes', () => {
    const config = parseConfig({});
    expect(config.shopRateLimitPerSecond).toBe(1000);
    expect(config.coverageSampleMinutes).toBe(5);
    expect(parseConfig({ SHOP_RATE_LIMIT_RPS: '20', COVERAGE_SAMPLE_MINUTES: '15' })).toMatchObject({ shopRateLimitPerSecond: 20, coverageSampleMinutes: 15 });
    expect(() => parseConfig({ SHOP_RATE_LIMIT_RPS: '0' })).toThrow(/SHOP_RATE_LIMIT_RPS: must be at least 1/);
    expect(() => parseConfig({ COVERAGE_SAMPLE_MINUTES: '2.5' })).toThrow(/COVERAGE_SAMPLE_MINUTES/);
  });

  it('refuses a port written as a float or with letters', () => {
    expect(() => parseConfig({ PORT: '3000.5' })).toThrow(/PORT/);
    expect(() => parseConfig({ PORT: '30a' })).toThrow(/PORT/);
  });
});

describe('the change stream variables', () => {
  test('default to auto with a 1 GB slot bound, and are read whole', () => {
    expect(parseConfig({}).changeStream).toEqual({ mode: 'auto', slot: undefined, maxRetainedBytes: 1024 ** 3, coalesceMs: 200, pollMs: 100 });
    expect(
      parseConfig({ DATABASE_URL: 'postgres://db/shop', KILN_CHANGE_STREAM: 'logical', KILN_CHANGE_SLOT: 'kiln_shop', KILN_SLOT_MAX_RETAINED_MB: '64', KILN_CHANGE_COALESCE_MS: '0', KILN_CHANGE_POLL_MS: '50' }).changeStream,
    ).toEqual({ mode: 'logical', slot: 'kiln_shop', maxRetainedBytes: 64 * 1024 * 1024, coalesceMs: 0, pollMs: 50 });
  });

  test('refuses a bad mode, a slot name Postgres would refuse, and logical on the embedded database', () => {
    expect(() => parseConfig({ KILN_CHANGE_STREAM: 'cdc' })).toThrow(/KILN_CHANGE_STREAM: expected 'auto', 'off', 'logical' or 'triggers'/);
    expect(() => parseConfig({ KILN_CHANGE_SLOT: 'Kiln-Slot' })).toThrow(/KILN_CHANGE_SLOT: lower-case letters, digits and _ only/);
    expect(() => parseConfig({ KILN_CHANGE_STREAM: 'logical' })).toThrow(/KILN_CHANGE_STREAM: logical needs DATABASE_URL/);
  });
});

describe('the shop database and its read replica', () => {
  test('default to Kiln\'s own database, no replica, a 16 MiB lag bound checked every 5 s', () => {
    expect(parseConfig({}).shop).toEqual({ primaryUrl: null, readUrl: null, maxLagBytes: 16 * 1024 * 1024, checkSeconds: 5 });
    // The same URL as Kiln's is Kiln's database: one connection pool, the change stream stays on.
    const same = parseConfig({ DATABASE_URL: 'postgres://db/kiln', SHOP_DATABASE_URL: 'postgres://db/kiln' });
    expect(same.shop.primaryUrl).toBeNull();
    expect(same.changeStream.mode).toBe('auto');
  });

  test('reads the three URLs; a shop apart turns the change stream off', () => {
    const config = parseConfig({
      DATABASE_URL: 'postgres://kiln-db/kiln',
      SHOP_DATABASE_URL: 'postgres://shop-db/shop',
      DATABASE_READ_URL: 'postgres://shop-replica/shop',
      KILN_REPLICA_MAX_LAG_BYTES: '1048576',
      KILN_REPLICA_CHECK_SECONDS: '2',
    });
    expect(config.shop).toEqual({ primaryUrl: 'postgres://shop-db/shop', readUrl: 'postgres://shop-replica/shop', maxLagBytes: 1048576, checkSeconds: 2 });
    expect(config.changeStream.mode).toBe('off');
  });

  test('refuses a replica of the embedded database, a bad URL or bound, and a forced change stream with the shop apart', () => {
    expect(() => parseConfig({ DATABASE_READ_URL: 'postgres://replica/shop' })).toThrow(/DATABASE_READ_URL: needs a Postgres primary/);
    expect(() => parseConfig({ DATABASE_URL: 'postgres://db/kiln', DATABASE_READ_URL: 'mysql://replica/shop' })).toThrow(/DATABASE_READ_URL: expected a postgres/);
    expect(() => parseConfig({ KILN_REPLICA_MAX_LAG_BYTES: '-1' })).toThrow(/KILN_REPLICA_MAX_LAG_BYTES/);
    expect(() => parseConfig({ DATABASE_URL: 'postgres://db/kiln', SHOP_DATABASE_URL: 'postgres://shop/shop', KILN_CHANGE_STREAM: 'triggers' })).toThrow(/KILN_CHANGE_STREAM: triggers needs the shop's tables/);
  });
});
