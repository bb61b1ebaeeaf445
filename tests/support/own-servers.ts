import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { onTestFinished } from 'vitest';

/**
 * Redis and Postgres servers of the test's own, on free loopback ports, that a fault test may
 * kill, freeze and restart. The shared servers on 5432 and 6379 are never touched.
 */

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not come up within ${timeoutMs} ms`);
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export type OwnRedis = {
  url: string;
  port: number;
  /** SIGKILL: the server is gone, connections drop. */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty: nothing is saved). */
  start(): Promise<void>;
  /** SIGSTOP: connections stay open, nothing answers. */
  freeze(): void;
  thaw(): void;
};

export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-redis-'));
  let child: ChildProcess | undefined;
  const url = `redis://127.0.0.1:${port}`;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
    await waitUntil(
      async () => {
        const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500 });
        probe.on('error', () => {});
        try {
          await probe.connect();
          return (await probe.ping()) === 'PONG';
        } finally {
          probe.disconnect();
        }
      },
      10_000,
      `redis-server on port ${port}`,
    );
  };
  const kill = async () => {
    if (!child) return;
    child.kill('SIGCONT');
    child.kill('SIGKILL');
    await exited(child);
    child = undefined;
  };
  await start();
  onTestFinished(async () => {
    await kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return {
    url,
    port,
    kill,
    start,
    freeze: () => child?.kill('SIGSTOP'),
    thaw: () => child?.kill('SIGCONT'),
  };
}

export type OwnPostgres = {
  /** The server's `postgres` database; create others with `createDatabase`. */
  url: string;
  port: number;
  databaseUrl(name: string): string;
  createDatabase(name: string): Promise<string>;
  /**
   * A fast shutdown (SIGINT): clients are disconnected, the data stays. With `timeoutMs`, a server
   * still up after it gets an immediate shutdown (SIGQUIT: crash recovery at the next start);
   * resolves with which one it took.
   */
  stop(options?: { timeoutMs?: number }): Promise<'fast' | 'immediate'>;
  start(): Promise<void>;
  /** Kills it and removes its data (done by itself at the end of the test unless `keep`). */
  destroy(): Promise<void>;
};

export type OwnPostgresOptions = {
  /** wal_level=logical with replication slots to spare (logical decoding, test_decoding). */
  logical?: boolean;
  /** Outlives the test that started it (a file's beforeAll): the caller calls destroy(). */
  keep?: boolean;
  /**
   * A hot standby of this server (pg_basebackup -R over a replication connection; the default
   * wal_level=replica and initdb's trust rule for replication allow it): read-only, replaying its WAL.
   */
  standbyOf?: OwnPostgres;
};

const PG_BIN = (() => {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  return versions[0] ? path.join(root, versions[0], 'bin') : '';
})();

/** Postgres refuses to run as root: as root, run it as the `postgres` user. */
function asServerUser(command: string, args: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [command, args];
  return ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', '--', command, ...args]];
}

export async function startOwnPostgres(options: OwnPostgresOptions = {}): Promise<OwnPostgres> {
  if (!PG_BIN) throw new Error('No PostgreSQL server binaries under /usr/lib/postgresql');
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-pg-'));
  if (process.getuid?.() === 0) execFileSync('chown', ['postgres:postgres', dir]);
  if (options.standbyOf) {
    // A streaming replica: a base backup of the primary with its connection settings (-R: standby.signal
    // and primary_conninfo), replaying the primary's WAL as it comes.
    fs.chmodSync(dir, 0o700);
    const [basebackup, backupArgs] = asServerUser(path.join(PG_BIN, 'pg_basebackup'), [
      '-h', '127.0.0.1', '-p', String(options.standbyOf.port), '-U', 'postgres', '-D', dir, '-R', '-X', 'stream', '--no-sync', '--checkpoint=fast',
    ]);
    execFileSync(basebackup, backupArgs, { stdio: 'ignore' });
  } else {
    const [initdb, initArgs] = asServerUser(path.join(PG_BIN, 'initdb'), ['-D', dir, '--auth=trust', '--username=postgres', '--encoding=UTF8', '--no-sync']);
    execFileSync(initdb, initArgs, { stdio: 'ignore' });
  }
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let child: ChildProcess | undefined;
  const start = async () => {
    const [cmd, args] = asServerUser(path.join(PG_BIN, 'postgres'), [
      '-D', dir, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=100',
      ...(options.logical ? ['-c', 'wal_level=logical', '-c', 'max_replication_slots=20', '-c', 'max_wal_senders=20'] : []),
    ]);
    child = spawn(cmd, args, { stdio: 'ignore' });
    await waitUntil(
      async () => {
        const probe = postgres(url, { max: 1, connect_timeout: 1, onnotice: () => {} });
        try {
          await probe`select 1`;
          return true;
        } finally {
          await probe.end({ timeout: 1 });
        }
      },
      20_000,
      `postgres on port ${port}`,
    );
  };
  const stop = async (stopOptions: { timeoutMs?: number } = {}): Promise<'fast' | 'immediate'> => {
    if (!child) return 'fast';
    const running = child;
    running.kill('SIGINT');
    let how: 'fast' | 'immediate' = 'fast';
    if (stopOptions.timeoutMs !== undefined) {
      const timer = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), stopOptions.timeoutMs).unref());
      if ((await Promise.race([exited(running).then(() => 'done' as const), timer])) === 'late') {
        how = 'immediate';
        running.kill('SIGQUIT');
      }
    }
    await exited(running);
    child = undefined;
    return how;
  };
  await start();
  const destroy = async () => {
    if (child) {
      child.kill('SIGKILL');
      await exited(child);
      child = undefined;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  if (!options.keep) onTestFinished(destroy);
  const databaseUrl = (name: string) => `postgres://postgres@127.0.0.1:${port}/${name}`;
  return {
    url,
    port,
    databaseUrl,
    async createDatabase(name) {
      const admin = postgres(url, { max: 1, onnotice: () => {} });
      await admin.unsafe(`create database ${name}`);
      await admin.end();
      return databaseUrl(name);
    },
    stop,
    start,
    destroy,
  };
}
