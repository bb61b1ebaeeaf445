import 'server-only';
import path from 'node:path';
import { isIP } from 'node:net';
import { z } from 'zod';
import type { EdgeSettings, TrustedProxy } from './http/edge';

/**
 * The environment, parsed once. Every variable Kiln reads is declared here (and listed in
 * .env.example and the README); nothing else in the code reads process.env directly.
 */

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'expected true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { error: `expected a whole number from ${min} to ${max}` })
    .transform(Number)
    .pipe(z.number().int().min(min, { error: `must be at least ${min}` }).max(max, { error: `must be at most ${max}` }));

const postgresUrl = z.string().refine(
  (v) => {
    try {
      const url = new URL(v);
      return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname !== '';
    } catch {
      return false;
    }
  },
  { error: 'expected a postgres:// or postgresql:// URL with a host' },
);

const redisUrl = z.string().refine(
  (v) => {
    try {
      const url = new URL(v);
      return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
    } catch {
      return false;
    }
  },
  { error: 'expected a redis:// or rediss:// URL with a host' },
);

const clusterNodes = z
  .string()
  .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
  .pipe(
    z
      .array(
        z.string().regex(/^[A-Za-z0-9.\-_]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/, {
          error: 'expected comma-separated host:port pairs',
        }),
      )
      .min(1, { error: 'expected at least one host:port' }),
  )
  .transform((nodes) =>
    nodes.map((n) => {
      const at = n.lastIndexOf(':');
      return { host: n.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(n.slice(at + 1)) };
    }),
  );

const timezone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { error: 'expected an IANA time zone such as Europe/Berlin' },
);

/** `10.0.0.0/8, 192.168.1.7, fd00::/8`: addresses or CIDR blocks, IPv4 or IPv6. */
const trustedProxies = z
  .string()
  .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
  .pipe(
    z.array(
      z.string().refine((entry) => parseCidr(entry) !== null, {
        error: 'expected comma-separated addresses or CIDR blocks such as 10.0.0.0/8 or fd00::/8',
      }),
    ),
  )
  .transform((entries) => entries.map((entry) => parseCidr(entry)!));

function parseCidr(entry: string): TrustedProxy | null {
  const [address = '', prefixText, ...rest] = entry.split('/');
  const version = isIP(address);
  if (!version || rest.length) return null;
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= max)) return null;
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** The origin operators reach Kiln at: scheme, host and port, nothing after. */
const publicUrl = z
  .string()
  .refine(
    (v) => {
      try {
        const url = new URL(v);
        return (url.protocol === 'http:' || url.protocol === 'https:') && (url.pathname === '/' || url.pathname === '') && !url.search && !url.hash && !url.username;
      } catch {
        return false;
      }
    },
    { error: 'expected an http:// or https:// origin such as https://kiln.example.com (no path)' },
  )
  .transform((v) => new URL(v).origin);

const envSchema = z.object({
  PORT: integer(1, 65535).default(3000),
  KILN_DATA_DIR: z.string().min(1).default('.data'),
  DATABASE_URL: postgresUrl.optional(),
  DATABASE_POOL_MAX: integer(1, 200).default(10),
  SHOP_DATABASE_URL: postgresUrl.optional(),
  DATABASE_READ_URL: postgresUrl.optional(),
  KILN_REPLICA_MAX_LAG_BYTES: integer(0, 1_099_511_627_776).default(16 * 1024 * 1024),
  KILN_REPLICA_CHECK_SECONDS: integer(1, 3600).default(5),
  REDIS_URL: redisUrl.optional(),
  REDIS_CLUSTER_NODES: clusterNodes.optional(),
  CACHE_KEY_PREFIX: z
    .string()
    .max(64)
    .regex(/^[A-Za-z0-9:_\-.{}]*$/, { error: 'letters, digits and : _ - . { } only' })
    .default(''),
  MEMORY_CACHE_MAX_MB: integer(1, 65536).default(256),
  REDIS_COMMAND_TIMEOUT_MS: integer(50, 120_000).default(5000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SEED_DEMO_DATA: z.enum(['auto', 'never'], { error: "expected 'auto' or 'never'" }).default('auto'),
  DEMO_PRODUCTS: integer(10, 1_000_000).default(2000),
  WARMUP_ON_STARTUP: booleanFlag.default(true),
  SCHEDULER_ENABLED: booleanFlag.default(true),
  KILN_WORKERS: integer(0, 64).default(1),
  KILN_WORKER_SLOTS: integer(1, 32).default(2),
  KILN_WORKER_IN_SERVER: z.enum(['auto', 'true', 'false'], { error: "expected 'auto', 'true' or 'false'" }).default('auto'),
  KILN_SHARD_KEYS: integer(100, 10_000_000).default(50_000),
  KILN_SHARD_SECONDS: integer(2, 3600).default(30),
  KILN_JOB_MAINTENANCE_SECONDS: integer(1, 300).default(10),
  KILN_TIMEZONE: timezone.default('UTC'),
  KILN_ADMIN_EMAIL: z.email({ error: 'expected an email address' }).transform((v) => v.toLowerCase()).default('admin@kiln.local'),
  KILN_ADMIN_PASSWORD: z.string().min(12, { error: 'must be at least 12 characters' }).max(256, { error: 'must be at most 256 characters' }).optional(),
  SHOP_RATE_LIMIT_RPS: integer(1, 1_000_000).default(1000),
  COVERAGE_SAMPLE_MINUTES: integer(1, 1440).default(5),
  KEYSPACE_SAMPLE_SECONDS: integer(5, 3600).default(60),
  KILN_CHANGE_STREAM: z.enum(['auto', 'off', 'logical', 'triggers'], { error: "expected 'auto', 'off', 'logical' or 'triggers'" }).default('auto'),
  KILN_CHANGE_SLOT: z.string().regex(/^[a-z0-9_]{1,63}$/, { error: 'lower-case letters, digits and _ only (1-63 characters)' }).optional(),
  KILN_SLOT_MAX_RETAINED_MB: integer(1, 1_048_576).default(1024),
  KILN_CHANGE_COALESCE_MS: integer(0, 10_000).default(200),
  KILN_CHANGE_POLL_MS: integer(10, 60_000).default(100),
  KILN_TRUSTED_PROXIES: trustedProxies.optional(),
  KILN_PUBLIC_URL: publicUrl.optional(),
  KILN_MUTATION_RATE_LIMIT: integer(1, 100_000).default(60),
  KILN_RETENTION_INTERVAL_MINUTES: integer(0, 10_080).default(60),
  KILN_RETENTION_BATCH_ROWS: integer(100, 100_000).default(5000),
  KILN_SMTP_HOST: z.string().min(1).max(255).optional(),
  KILN_SMTP_PORT: integer(1, 65535).optional(),
  KILN_SMTP_TLS: z.enum(['starttls', 'implicit', 'off'], { error: "expected 'starttls', 'implicit' or 'off'" }).default('starttls'),
  KILN_SMTP_USER: z.string().max(512).optional(),
  KILN_SMTP_PASSWORD: z.string().max(1024).optional(),
  KILN_SMTP_FROM: z.string().min(3).max(320).default('Kiln <kiln@localhost>'),
  KILN_ALERT_EVALUATE_SECONDS: integer(1, 3600).default(15),
  KILN_ALERT_LATE_FACTOR: z
    .string()
    .regex(/^\d+(\.\d+)?$/, { error: 'expected a number such as 3 or 1.5' })
    .transform(Number)
    .pipe(z.number().min(1, { error: 'must be at least 1' }).max(100, { error: 'must be at most 100' }))
    .default(3),
  KILN_ALERT_SLOT_GRACE_SECONDS: integer(10, 86_400).default(300),
  KILN_ALERT_DOWN_SECONDS: integer(1, 86_400).default(60),
  KILN_ALERT_REMIND_HOURS: integer(0, 720).default(0),
  KILN_ALERT_GOVERNOR_FLOOR_MINUTES: integer(1, 1440).default(5),
  KILN_ALERT_RETRY_SECONDS: integer(1, 3600).default(15),
  KILN_ALERT_RETRY_LIMIT: integer(0, 30).default(10),
});

export type Config = {
  port: number;
  dataDir: string;
  /** Kiln's own state: its tables and the job engine's (DATABASE_URL, or the embedded PGlite). */
  database: { kind: 'postgres'; url: string; poolMax: number } | { kind: 'pglite'; dataDir: string };
  /** The shop's data, which strategies and shop reads load (README, "Databases and the read replica"). */
  shop: {
    /** SHOP_DATABASE_URL when it names another database than DATABASE_URL; null: Kiln's own database. */
    primaryUrl: string | null;
    /** DATABASE_READ_URL: a streaming replica of the shop's primary that runs load from while it keeps up. */
    readUrl: string | null;
    /** Replay lag (bytes of WAL) past which a shard loads from the primary instead. */
    maxLagBytes: number;
    /** How often a shard measures the replica's lag again. */
    checkSeconds: number;
  };
  cache:
    | { kind: 'redis'; url: string; keyPrefix: string; commandTimeoutMs: number }
    | { kind: 'redis-cluster'; nodes: { host: string; port: number }[]; keyPrefix: string; url?: string; commandTimeoutMs: number }
    | { kind: 'memory'; maxBytes: number; keyPrefix: string };
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  seedDemoData: 'auto' | 'never';
  demoProducts: number;
  warmupOnStartup: boolean;
  /** Whether this process fires schedules (every process may; the claim keeps each slot to one). */
  schedulerEnabled: boolean;
  /** Where runs execute: pg-boss workers (see README, "Where runs execute"). */
  workers: {
    /** Worker processes `npm start` starts beside the server (0: none; `npm run worker` starts more anywhere). */
    processes: number;
    /** Shards each worker process runs at once. */
    slots: number;
    /** The server process runs a worker itself: the embedded database and the in-process cache allow no other. */
    inServer: boolean;
    /** How often pg-boss expires jobs of dead workers (and archives finished ones). */
    maintenanceSeconds: number;
  };
  /** How runs are cut into shards: keys per shard (strategies with a key space) and a shard's time cap. */
  shards: { keys: number; seconds: number };
  timezone: string;
  /** The admin created on the first start with no operator; no password means a random one. */
  initialAdmin: { email: string; password?: string };
  /** Requests a second (and burst) each client address may make to the public /api/shop reads, per process. */
  shopRateLimitPerSecond: number;
  /** Minutes between periodic cache-coverage samples (one process of all replicas takes them). */
  coverageSampleMinutes: number;
  /** Seconds between samples of Redis's keyspace counters; also how often due used-share checks are looked for (one process of all replicas). */
  keyspaceSampleSeconds: number;
  /** Re-warming keys when the shop's rows change (server/freshness). */
  changeStream: ChangeStreamConfig;
  /** Which peers are proxies whose forwarded headers are believed, and the public origin. */
  edge: EdgeSettings;
  /** Run triggers and other changes one operator or token may make a minute, across replicas. */
  mutationsPerMinute: number;
  /** Pruning by the retention policies (server/retention): minutes between passes (0: never), rows a statement. */
  retention: { intervalMinutes: number; batchRows: number };
  /** Alert rules and delivery (server/alerts). */
  alerts: AlertsConfig;
  /** The SMTP server email channels send through; null: email channels cannot deliver. */
  smtp: SmtpConfig | null;
};

export type AlertsConfig = {
  /** How often the periodic evaluator looks (one replica at a time). */
  evaluateSeconds: number;
  /** A run is late past this many times the recent p95 duration of its strategies' runs. */
  lateFactor: number;
  /** A schedule slot with no claim this long after its time raises a missed-slot alert. */
  slotGraceSeconds: number;
  /** The cache or the database unreachable this long raises an alert. */
  downSeconds: number;
  /** Reminders every this many hours while an incident is open; 0: none. */
  remindHours: number;
  /** A run's governor held at its floor this long (every sample of the window) raises an alert. */
  governorFloorMinutes: number;
  /** A failed delivery is retried after about this long, doubling each time, `retryLimit` times. */
  retrySeconds: number;
  retryLimit: number;
};

export type SmtpConfig = {
  host: string;
  port: number;
  /** starttls: upgrade required (587); implicit: TLS from the first byte (465); off: plain (loopback relays only). */
  tls: 'starttls' | 'implicit' | 'off';
  user?: string;
  password?: string;
  from: string;
};

export type ChangeStreamConfig = {
  /**
   * `auto`: logical replication when Postgres has wal_level=logical and Kiln's role may use it,
   * else triggers; `triggers` on the embedded database. `off`: nothing, and Kiln's slot and
   * triggers are removed.
   */
  mode: 'auto' | 'off' | 'logical' | 'triggers';
  /** The replication slot's name; unset: `kiln_` and the database's name. */
  slot?: string;
  /** The slot guard warns at half this much retained WAL and drops the slot beyond it. */
  maxRetainedBytes: number;
  /** Changes to one key within this window are loaded once. */
  coalesceMs: number;
  /** How often the stream is read when it was empty. */
  pollMs: number;
};

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(
      `Invalid environment: ${problems.map((p) => `${p.variable}: ${p.message}`).join('; ')}`,
    );
    this.name = this.constructor.name;
  }
}

/** Parses an environment (process.env by default). Throws ConfigError naming every bad variable. */
export function parseConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty variable counts as unset, as in most shells' `FOO= cmd` idiom.
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([k, v]) => k in envSchema.shape && v !== undefined && v !== ''),
  );
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? '?'), message: i.message })),
    );
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.KILN_DATA_DIR);
  // A worker process must reach the server's database and cache: not so for the embedded database
  // (one process only) or the in-process cache (its own memory). Then the server is the worker.
  const shared = Boolean(e.DATABASE_URL && (e.REDIS_URL || e.REDIS_CLUSTER_NODES));
  if (e.KILN_WORKER_IN_SERVER === 'false' && !shared) {
    throw new ConfigError([{ variable: 'KILN_WORKER_IN_SERVER', message: 'false needs DATABASE_URL and REDIS_URL (or REDIS_CLUSTER_NODES): a worker process cannot share the embedded database or the in-process cache' }]);
  }
  const shopPrimaryUrl = e.SHOP_DATABASE_URL && e.SHOP_DATABASE_URL !== e.DATABASE_URL ? e.SHOP_DATABASE_URL : null;
  if (e.DATABASE_READ_URL && !e.DATABASE_URL && !shopPrimaryUrl) {
    throw new ConfigError([{ variable: 'DATABASE_READ_URL', message: 'needs a Postgres primary (DATABASE_URL or SHOP_DATABASE_URL): the embedded database has no replicas' }]);
  }
  if (shopPrimaryUrl && (e.KILN_CHANGE_STREAM === 'logical' || e.KILN_CHANGE_STREAM === 'triggers')) {
    throw new ConfigError([{ variable: 'KILN_CHANGE_STREAM', message: `${e.KILN_CHANGE_STREAM} needs the shop's tables in Kiln's database: with SHOP_DATABASE_URL set apart, use off or auto (which turns it off)` }]);
  }
  if (e.KILN_CHANGE_STREAM === 'logical' && !e.DATABASE_URL) {
    throw new ConfigError([{ variable: 'KILN_CHANGE_STREAM', message: 'logical needs DATABASE_URL: the embedded database has no replication slots (use triggers or auto)' }]);
  }
  return {
    port: e.PORT,
    dataDir,
    database: e.DATABASE_URL
      ? { kind: 'postgres', url: e.DATABASE_URL, poolMax: e.DATABASE_POOL_MAX }
      : { kind: 'pglite', dataDir: path.join(dataDir, 'pglite') },
    shop: {
      primaryUrl: shopPrimaryUrl,
      readUrl: e.DATABASE_READ_URL ?? null,
      maxLagBytes: e.KILN_REPLICA_MAX_LAG_BYTES,
      checkSeconds: e.KILN_REPLICA_CHECK_SECONDS,
    },
    cache: e.REDIS_CLUSTER_NODES
      ? { kind: 'redis-cluster', nodes: e.REDIS_CLUSTER_NODES, keyPrefix: e.CACHE_KEY_PREFIX, url: e.REDIS_URL, commandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS }
      : e.REDIS_URL
        ? { kind: 'redis', url: e.REDIS_URL, keyPrefix: e.CACHE_KEY_PREFIX, commandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS }
        : { kind: 'memory', maxBytes: e.MEMORY_CACHE_MAX_MB * 1024 * 1024, keyPrefix: e.CACHE_KEY_PREFIX },
    logLevel: e.LOG_LEVEL,
    seedDemoData: e.SEED_DEMO_DATA,
    demoProducts: e.DEMO_PRODUCTS,
    warmupOnStartup: e.WARMUP_ON_STARTUP,
    schedulerEnabled: e.SCHEDULER_ENABLED,
    workers: {
      processes: shared ? e.KILN_WORKERS : 0,
      slots: e.KILN_WORKER_SLOTS,
      inServer: e.KILN_WORKER_IN_SERVER === 'true' || (e.KILN_WORKER_IN_SERVER === 'auto' && !shared),
      maintenanceSeconds: e.KILN_JOB_MAINTENANCE_SECONDS,
    },
    shards: { keys: e.KILN_SHARD_KEYS, seconds: e.KILN_SHARD_SECONDS },
    timezone: e.KILN_TIMEZONE,
    initialAdmin: { email: e.KILN_ADMIN_EMAIL, password: e.KILN_ADMIN_PASSWORD },
    shopRateLimitPerSecond: e.SHOP_RATE_LIMIT_RPS,
    coverageSampleMinutes: e.COVERAGE_SAMPLE_MINUTES,
    keyspaceSampleSeconds: e.KEYSPACE_SAMPLE_SECONDS,
    changeStream: {
      // The change stream's tables and triggers live beside the shop's: not possible with the shop apart (yet).
      mode: shopPrimaryUrl ? 'off' : e.KILN_CHANGE_STREAM,
      slot: e.KILN_CHANGE_SLOT,
      maxRetainedBytes: e.KILN_SLOT_MAX_RETAINED_MB * 1024 * 1024,
      coalesceMs: e.KILN_CHANGE_COALESCE_MS,
      pollMs: e.KILN_CHANGE_POLL_MS,
    },
    edge: { trustedProxies: e.KILN_TRUSTED_PROXIES ?? [], publicOrigin: e.KILN_PUBLIC_URL },
    mutationsPerMinute: e.KILN_MUTATION_RATE_LIMIT,
    retention: { intervalMinutes: e.KILN_RETENTION_INTERVAL_MINUTES, batchRows: e.KILN_RETENTION_BATCH_ROWS },
    alerts: {
      evaluateSeconds: e.KILN_ALERT_EVALUATE_SECONDS,
      lateFactor: e.KILN_ALERT_LATE_FACTOR,
      slotGraceSeconds: e.KILN_ALERT_SLOT_GRACE_SECONDS,
      downSeconds: e.KILN_ALERT_DOWN_SECONDS,
      remindHours: e.KILN_ALERT_REMIND_HOURS,
      governorFloorMinutes: e.KILN_ALERT_GOVERNOR_FLOOR_MINUTES,
      retrySeconds: e.KILN_ALERT_RETRY_SECONDS,
      retryLimit: e.KILN_ALERT_RETRY_LIMIT,
    },
    smtp: e.KILN_SMTP_HOST
      ? {
          host: e.KILN_SMTP_HOST,
          port: e.KILN_SMTP_PORT ?? (e.KILN_SMTP_TLS === 'implicit' ? 465 : e.KILN_SMTP_TLS === 'off' ? 25 : 587),
          tls: e.KILN_SMTP_TLS,
          user: e.KILN_SMTP_USER,
          password: e.KILN_SMTP_PASSWORD,
          from: e.KILN_SMTP_FROM,
        }
      : null,
  };
}

const globalForConfig = globalThis as unknown as { __kilnConfig?: Config };

/** The process's configuration, parsed on first use. */
export function getConfig(): Config {
  globalForConfig.__kilnConfig ??= parseConfig();
  return globalForConfig.__kilnConfig;
}

/** Describes where a URL points without its password, for logs and the status page. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}
