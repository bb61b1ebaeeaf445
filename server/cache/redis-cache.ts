import 'server-only';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { redactUrl } from '../config';
import {
  type Cache,
  type KeyInspection,
  type KeyState,
  type KeyspaceStats,
  CacheError,
  type CacheEntry,
  type CacheHealth,
  type RefreshEntry,
  type RefreshOptions,
  type RefreshResult,
  type WriteResult,
  validateTtl,
} from './cache';
import { freshnessMarkerKey } from './freshness-marker';
import { GUARDED_SET_MANY_SCRIPT, INSPECT_MANY_SCRIPT, RAISE_LATEST_SCRIPT, MEMORY_MANY_SCRIPT, PTTL_MANY_SCRIPT, REFRESH_MANY_SCRIPT, SET_MANY_SCRIPT, SET_ONE_SCRIPT } from './redis-scripts';

type ScriptedRedis = Redis & {
  kilnSetMany(numKeys: number, ...args: (string | number)[]): Promise<(number | string)[]>;
  kilnPttlMany(numKeys: number, ...keys: string[]): Promise<number[]>;
  kilnMemoryMany(numKeys: number, ...keys: string[]): Promise<(number | null)[]>;
  kilnInspectMany(numKeys: number, ...args: string[]): Promise<[number, number, number[]]>;
};
// The freshness scripts (server/freshness), standalone Redis; a Cluster gets one EVAL per key (its marker standing as the watermark).
type FreshnessScripts = {
  kilnGuardedSetMany(numKeys: number, ...args: (string | number)[]): Promise<(number | string)[]>;
  kilnRaiseLatest(numKeys: number, key: string, version: string, markerTtlSeconds: number): Promise<number>;
  kilnRefreshMany(numKeys: number, ...args: (string | number)[]): Promise<string[]>;
};

export type RedisCacheOptions = {
  keyPrefix?: string;
  /** Milliseconds before a command without a reply fails; bounds a frozen or unreachable Redis. */
  commandTimeoutMs?: number;
};

type Target = { kind: 'redis'; url: string } | { kind: 'redis-cluster'; nodes: { host: string; port: number }[]; url?: string };

/** Redis or Redis Cluster through ioredis. */
export class RedisCache implements Cache {
  readonly kind: 'redis' | 'redis-cluster';
  readonly #client: ScriptedRedis | Cluster;
  readonly #fresh: FreshnessScripts;
  readonly #prefix: string;
  readonly #description: string;
  #closed = false;

  constructor(target: Target, options: RedisCacheOptions = {}) {
    this.kind = target.kind;
    this.#prefix = options.keyPrefix ?? '';
    const common: RedisOptions = {
      lazyConnect: true,
      connectTimeout: 5000,
      commandTimeout: options.commandTimeoutMs ?? 5000,
      // Warmup writes must fail fast while Redis is away, not pile up in an unbounded offline queue.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      retryStrategy: (times) => Math.min(times * 200, 2000),
      connectionName: 'kiln',
    };
    if (target.kind === 'redis') {
      this.#client = new Redis(target.url, common) as ScriptedRedis;
      this.#description = `Redis at ${redactUrl(target.url)}`;
      this.#client.defineCommand('kilnSetMany', { lua: SET_MANY_SCRIPT });
      this.#client.defineCommand('kilnPttlMany', { lua: PTTL_MANY_SCRIPT });
      this.#client.defineCommand('kilnMemoryMany', { lua: MEMORY_MANY_SCRIPT });
      this.#client.defineCommand('kilnInspectMany', { lua: INSPECT_MANY_SCRIPT });
    } else {
      const auth = target.url ? new URL(target.url) : undefined;
      this.#client = new Cluster(target.nodes, {
        lazyConnect: true,
        enableOfflineQueue: false,
        // Per-key commands are grouped per node into pipelines automatically.
        enableAutoPipelining: true,
        clusterRetryStrategy: (times) => Math.min(times * 200, 2000),
        redisOptions: {
          ...common,
          username: auth?.username || undefined,
          password: auth?.password ? decodeURIComponent(auth.password) : undefined,
        },
      });
      this.#description = `Redis Cluster at ${target.nodes.map((n) => `${n.host}:${n.port}`).join(', ')}`;
    }
    if (this.#client instanceof Redis) {
      this.#client.defineCommand('kilnGuardedSetMany', { lua: GUARDED_SET_MANY_SCRIPT });
      this.#client.defineCommand('kilnRaiseLatest', { lua: RAISE_LATEST_SCRIPT });
      this.#client.defineCommand('kilnRefreshMany', { lua: REFRESH_MANY_SCRIPT });
    }
    this.#fresh = this.#client as unknown as FreshnessScripts;
    // Connection problems surface through command errors and health(); an 'error' listener keeps
    // ioredis from printing every reconnect attempt as an unhandled error.
    this.#client.on('error', () => {});
    this.#client.connect().catch(() => {});
  }

  describe(): string {
    return this.#description;
  }

  /** Resolves once connected, or rejects after `timeoutMs`. */
  async ready(timeoutMs = 5000): Promise<void> {
    if (this.#client.status === 'ready') return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new CacheError(`${this.#description} is not reachable (waited ${timeoutMs} ms)`));
      }, timeoutMs);
      const onReady = () => {
        cleanup();
        resolve();
      };
      const cleanup = () => {
        clearTimeout(timer);
        this.#client.off('ready', onReady);
      };
      this.#client.on('ready', onReady);
    });
  }

  async get(key: string): Promise<string | null> {
    return this.#run(() => this.#client.get(this.#prefix + key));
  }

  async getMany(keys: readonly string[]): Promise<(string | null)[]> {
    if (keys.length === 0) return [];
    const full = keys.map((k) => this.#prefix + k);
    if (this.#client instanceof Redis) return this.#run(() => (this.#client as Redis).mget(full));
    return this.#run(() => Promise.all(full.map((k) => this.#client.get(k))));
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    const [result] = await this.setMany([{ key, value, ttlSeconds }]);
    if (result && !result.ok) throw new CacheError(`SET ${key} failed: ${result.error}`);
  }

  async setMany(entries: readonly CacheEntry[], options: { version?: string } = {}): Promise<WriteResult[]> {
    if (entries.length === 0) return [];
    const results: WriteResult[] = new Array(entries.length);
    const valid: number[] = [];
    entries.forEach((e, i) => {
      try {
        validateTtl(e.ttlSeconds, e.key);
        valid.push(i);
      } catch (error) {
        results[i] = { ok: false, error: (error as Error).message };
      }
    });
    if (valid.length === 0) return results;
    if (options.version !== undefined) return this.#guardedSetMany(entries, valid, options.version, results);

    if (this.#client instanceof Redis) {
      const args: (string | number)[] = valid.map((i) => this.#prefix + entries[i]!.key);
      for (const i of valid) args.push(entries[i]!.ttlSeconds, entries[i]!.value);
      const failures = await this.#run(() => (this.#client as ScriptedRedis).kilnSetMany(valid.length, ...args));
      for (const i of valid) results[i] = { ok: true };
      for (let f = 0; f < failures.length; f += 2) {
        results[valid[Number(failures[f]) - 1]!] = { ok: false, error: String(failures[f + 1]) };
      }
      return results;
    }

    // Cluster: keys spread over slots, so a multi-key script would fail with CROSSSLOT. One EVAL
    // per key instead, auto-pipelined per node.
    const cluster = this.#client;
    const settled = await Promise.allSettled(
      valid.map((i) => {
        const e = entries[i]!;
        return cluster.eval(SET_ONE_SCRIPT, 1, this.#prefix + e.key, e.ttlSeconds, e.value);
      }),
    );
    settled.forEach((s, n) => {
      results[valid[n]!] = s.status === 'fulfilled' ? { ok: true } : { ok: false, error: describeError(s.reason) };
    });
    return results;
  }

  /** setMany's freshness guard: the scripted write that reads the keys' markers first when the prefix's watermark says one may be newer. */
  async #guardedSetMany(entries: readonly CacheEntry[], valid: number[], version: string, results: WriteResult[]): Promise<WriteResult[]> {
    const call = (indexes: number[]) => {
      const keys: string[] = [this.#latestKey()];
      const args: (string | number)[] = [version];
      for (const i of indexes) {
        const full = this.#prefix + entries[i]!.key;
        keys.push(full, freshnessMarkerKey(full));
        args.push(entries[i]!.ttlSeconds, entries[i]!.value);
      }
      return this.#fresh.kilnGuardedSetMany(keys.length, ...keys, ...args);
    };
    const apply = (indexes: number[], reply: (number | string)[]) => {
      for (const i of indexes) results[i] = { ok: true };
      for (let f = 0; f < reply.length; f += 3) {
        const i = indexes[Number(reply[f]) - 1]!;
        results[i] = Number(reply[f + 1]) === 1 ? { ok: true, superseded: true } : { ok: false, error: String(reply[f + 2]) };
      }
    };
    if (this.#client instanceof Redis) {
      apply(valid, await this.#run(() => call(valid)));
      return results;
    }
    // Cluster: one EVAL per key and its marker (one slot); a defined command's keys are not
    // grouped by slot under auto-pipelining ("All keys in the pipeline should belong to the same slots").
    const cluster = this.#client;
    const settled = await Promise.allSettled(
      valid.map((i) => {
        const full = this.#prefix + entries[i]!.key;
        const marker = freshnessMarkerKey(full);
        // The marker stands as the watermark: the three keys share the key's slot.
        return cluster.eval(GUARDED_SET_MANY_SCRIPT, 3, marker, full, marker, version, entries[i]!.ttlSeconds, entries[i]!.value) as Promise<(number | string)[]>;
      }),
    );
    settled.forEach((s, n) => {
      if (s.status === 'fulfilled') apply([valid[n]!], s.value);
      else results[valid[n]!] = { ok: false, error: describeError(s.reason) };
    });
    return results;
  }

  async refreshMany(entries: readonly RefreshEntry[], options: RefreshOptions): Promise<RefreshResult[]> {
    if (entries.length === 0) return [];
    const results: RefreshResult[] = new Array(entries.length);
    const valid: number[] = [];
    entries.forEach((e, i) => {
      try {
        if (e.value !== null) validateTtl(e.ttlSeconds, e.key);
        valid.push(i);
      } catch (error) {
        results[i] = { ok: false, error: (error as Error).message };
      }
    });
    const call = (indexes: number[]) => {
      const keys: string[] = [];
      const args: (string | number)[] = [options.version, options.markerTtlSeconds, options.markAll ? '1' : '0'];
      for (const i of indexes) {
        const e = entries[i]!;
        const full = this.#prefix + e.key;
        keys.push(full, freshnessMarkerKey(full));
        args.push(e.value === null ? 'd' : e.always ? 'W' : 'w', e.ttlSeconds, e.value ?? '');
      }
      return this.#fresh.kilnRefreshMany(keys.length, ...keys, ...args);
    };
    const apply = (indexes: number[], reply: string[]) => {
      indexes.forEach((i, n) => {
        const outcome = String(reply[n]);
        results[i] = outcome.startsWith('error:') ? { ok: false, error: outcome.slice(6) } : { ok: true, outcome: outcome as never };
      });
    };
    if (valid.length === 0) return results;
    if (this.#client instanceof Redis) {
      // The watermark first: a guarded write between the two then reads the markers (server/cache/redis-scripts.ts).
      await this.#run(() => this.#fresh.kilnRaiseLatest(1, this.#latestKey(), options.version, options.markerTtlSeconds));
      apply(valid, await this.#run(() => call(valid)));
      return results;
    }
    const cluster = this.#client;
    const settled = await Promise.allSettled(
      valid.map((i) => {
        const e = entries[i]!;
        const full = this.#prefix + e.key;
        const mode = e.value === null ? 'd' : e.always ? 'W' : 'w';
        return cluster.eval(REFRESH_MANY_SCRIPT, 2, full, freshnessMarkerKey(full), options.version, options.markerTtlSeconds, options.markAll ? '1' : '0', mode, e.ttlSeconds, e.value ?? '') as Promise<string[]>;
      }),
    );
    settled.forEach((s, n) => {
      if (s.status === 'fulfilled') apply([valid[n]!], s.value);
      else results[valid[n]!] = { ok: false, error: describeError(s.reason) };
    });
    return results;
  }

  /** The freshness watermark of this prefix (standalone Redis; GUARDED_SET_MANY_SCRIPT). */
  #latestKey(): string {
    return `kiln-fresh-latest:{${this.#prefix}}`;
  }

  async exists(key: string): Promise<boolean> {
    return (await this.#run(() => this.#client.exists(this.#prefix + key))) === 1;
  }

  async ttlMs(key: string): Promise<number | null> {
    return fromPttl(await this.#run(() => this.#client.pttl(this.#prefix + key)));
  }

  async ttlMsMany(keys: readonly string[]): Promise<(number | null)[]> {
    if (keys.length === 0) return [];
    const full = keys.map((k) => this.#prefix + k);
    const replies =
      this.#client instanceof Redis
        ? await this.#run(() => (this.#client as ScriptedRedis).kilnPttlMany(full.length, ...full))
        : await this.#run(() => Promise.all(full.map((k) => this.#client.pttl(k))));
    return replies.map(fromPttl);
  }

  async memoryUsageMany(keys: readonly string[]): Promise<(number | null)[]> {
    if (keys.length === 0) return [];
    const full = keys.map((k) => this.#prefix + k);
    const replies =
      this.#client instanceof Redis
        ? await this.#run(() => (this.#client as ScriptedRedis).kilnMemoryMany(full.length, ...full))
        : await this.#run(() => Promise.all(full.map((k) => this.#client.call('MEMORY', 'USAGE', k) as Promise<number | null>)));
    return replies.map((bytes) => (typeof bytes === 'number' ? bytes : null));
  }

  async delete(keys: readonly string[]): Promise<number> {
    if (keys.length === 0) return 0;
    const full = keys.map((k) => this.#prefix + k);
    if (this.#client instanceof Redis) return this.#run(() => (this.#client as Redis).unlink(...full));
    const counts = await this.#run(() => Promise.all(full.map((k) => this.#client.unlink(k))));
    return counts.reduce((a, b) => a + b, 0);
  }

  async *scan(prefix: string, batchSize = 500): AsyncIterable<string[]> {
    const pattern = `${escapeGlob(this.#prefix + prefix)}*`;
    const nodes = this.#client instanceof Cluster ? this.#client.nodes('master') : [this.#client as Redis];
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, keys] = await this.#run(() => node.scan(cursor, 'MATCH', pattern, 'COUNT', batchSize));
        cursor = next;
        if (keys.length > 0) yield keys.map((k) => k.slice(this.#prefix.length));
      } while (cursor !== '0');
    }
  }

  async health(): Promise<CacheHealth> {
    const started = performance.now();
    try {
      const node = this.#client instanceof Cluster ? this.#client.nodes('master')[0] : this.#client;
      if (!node) throw new CacheError('no cluster node is known yet');
      const info = await this.#run(() => node.info());
      const latencyMs = performance.now() - started;
      const fields = parseInfo(info);
      return {
        ok: true,
        latencyMs,
        details: {
          version: fields.redis_version ?? null,
          usedMemoryBytes: numberOrNull(fields.used_memory),
          maxMemoryBytes: numberOrNull(fields.maxmemory),
          maxMemoryPolicy: fields.maxmemory_policy ?? null,
          evictedKeys: numberOrNull(fields.evicted_keys),
          keys: countKeys(fields),
          connectedClients: numberOrNull(fields.connected_clients),
        },
      };
    } catch (error) {
      return { ok: false, latencyMs: performance.now() - started, error: describeError(error), details: {} };
    }
  }

  async inspectKeys(keys: readonly string[]): Promise<KeyInspection> {
    const node = this.#firstNode();
    const { policy, lfuDecayMinutes, configAvailable } = await this.#policy(node);
    const lfu = policy.includes('lfu');
    const full = keys.map((k) => this.#prefix + k);
    const mode = lfu ? 'FREQ' : 'IDLETIME';
    let serverTimeMs: number;
    let replies: number[];
    if (this.#client instanceof Redis) {
      const [seconds, micros, values] = await this.#run(() => (this.#client as ScriptedRedis).kilnInspectMany(full.length, ...full, mode));
      serverTimeMs = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
      replies = values;
    } else {
      const cluster = this.#client;
      const [s, us] = await this.#run(() => node.time());
      serverTimeMs = Number(s) * 1000 + Math.floor(Number(us) / 1000);
      replies = await this.#run(() => Promise.all(full.map((k) => (cluster.call('OBJECT', mode, k) as Promise<number | null>).then((v) => v ?? -1))));
    }
    const states: KeyState[] = replies.map((v) => (v === -1 || v === null ? { kind: 'missing' } : lfu ? { kind: 'freq', value: Number(v) } : { kind: 'idle', seconds: Number(v) }));
    return { policy, lfuDecayMinutes, configAvailable, serverTimeMs, states };
  }

  async keyspaceStats(): Promise<KeyspaceStats> {
    const nodes = this.#client instanceof Cluster ? this.#client.nodes('master') : [this.#client as Redis];
    const infos = await this.#run(() => Promise.all(nodes.map((n) => n.info())));
    const total: KeyspaceStats = { hits: 0, misses: 0, expiredKeys: 0, evictedKeys: 0, uptimeSeconds: Number.POSITIVE_INFINITY, nodes: nodes.length };
    for (const info of infos) {
      const f = parseInfo(info);
      total.hits += Number(f.keyspace_hits ?? 0);
      total.misses += Number(f.keyspace_misses ?? 0);
      total.expiredKeys += Number(f.expired_keys ?? 0);
      total.evictedKeys += Number(f.evicted_keys ?? 0);
      // The youngest node's uptime: a restart of any node resets its counters.
      total.uptimeSeconds = Math.min(total.uptimeSeconds, Number(f.uptime_in_seconds ?? 0));
    }
    if (!Number.isFinite(total.uptimeSeconds)) total.uptimeSeconds = 0;
    return total;
  }

  /** maxmemory-policy from CONFIG GET, or from INFO where CONFIG is renamed away or not allowed. */
  async #policy(node: Redis): Promise<{ policy: string; lfuDecayMinutes: number | null; configAvailable: boolean }> {
    try {
      const reply = (await node.config('GET', 'maxmemory-policy')) as string[];
      const decay = (await node.config('GET', 'lfu-decay-time')) as string[];
      const policy = reply[1];
      if (!policy) throw new Error('CONFIG GET answered nothing');
      return { policy, lfuDecayMinutes: decay[1] !== undefined ? Number(decay[1]) : null, configAvailable: true };
    } catch {
      const fields = parseInfo(await this.#run(() => node.info('memory')));
      return { policy: fields.maxmemory_policy ?? 'unknown', lfuDecayMinutes: null, configAvailable: false };
    }
  }

  #firstNode(): Redis {
    const node = this.#client instanceof Cluster ? this.#client.nodes('master')[0] : this.#client;
    if (!node) throw new CacheError('no cluster node is known yet');
    return node;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#client.quit().catch(() => this.#client.disconnect());
  }

  async #run<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw new CacheError(`${this.#description}: ${describeError(error)}`, { cause: error });
    }
  }
}

function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/Stream isn't writeable|enableOfflineQueue/.test(message)) return 'not connected (Redis is unreachable)';
  if (/Command timed out/.test(message)) return 'command timed out (Redis did not answer)';
  return message;
}

function fromPttl(ms: number): number | null {
  if (ms === -2) return null;
  if (ms === -1) return Infinity;
  return ms;
}

function escapeGlob(s: string): string {
  return s.replace(/[*?[\]\\]/g, '\\$&');
}

function parseInfo(info: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of info.split('\r\n')) {
    const at = line.indexOf(':');
    if (at > 0 && !line.startsWith('#')) fields[line.slice(0, at)] = line.slice(at + 1);
  }
  return fields;
}

function numberOrNull(v: string | undefined): number | null {
  return v === undefined || v === '' || Number.isNaN(Number(v)) ? null : Number(v);
}

function countKeys(fields: Record<string, string>): number {
  let total = 0;
  for (const [name, value] of Object.entries(fields)) {
    if (/^db\d+$/.test(name)) total += Number(/keys=(\d+)/.exec(value)?.[1] ?? 0);
  }
  return total;
}
