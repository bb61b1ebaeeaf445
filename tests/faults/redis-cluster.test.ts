import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisCache } from '@/server/cache/redis-cache';
import { registerStrategies } from '@/server/contexts';
import { StrategyRegistry } from '@/server/warmup/registry';
import { describeCacheContract, emptyCache } from '../support/cache-contract';
import { useTestDatabase } from '../support/db';
import { freePort } from '../support/own-servers';
import { uniquePrefix } from '../support/redis';
import { figure } from '../support/scenario-reporter';
import { testWarmer } from '../support/warmer';

/**
 * A three-master Redis Cluster of the test's own on loopback ports (REDIS_CLUSTER_NODES mode):
 * the adapter's cluster path (per-key commands auto-pipelined per node, scans of every master)
 * runs the same contract as the others, and a real warmup goes through it.
 */
const nodes: { port: number; process: ChildProcess }[] = [];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-cluster-'));

beforeAll(async () => {
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
    nodes.push({ port, process: child });
  }
  for (const { port } of nodes) {
    for (let i = 0; ; i++) {
      try {
        execFileSync('redis-cli', ['-p', String(port), 'ping'], { stdio: 'pipe' });
        break;
      } catch (error) {
        if (i > 50) throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
  execFileSync('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes'], { stdio: 'pipe' });
  for (let i = 0; ; i++) {
    const info = execFileSync('redis-cli', ['-p', String(nodes[0]!.port), 'cluster', 'info']).toString();
    if (/cluster_state:ok/.test(info)) break;
    if (i > 100) throw new Error(`the test cluster did not come up: ${info}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}, 60_000);

afterAll(async () => {
  for (const node of nodes) {
    node.process.kill('SIGKILL');
    await new Promise((r) => (node.process.exitCode === null ? node.process.once('exit', r) : r(null)));
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

const clusterCache = (prefix: string) =>
  new RedisCache({ kind: 'redis-cluster', nodes: nodes.map((n) => ({ host: '127.0.0.1', port: n.port })) }, { keyPrefix: prefix });

describeCacheContract('redis cluster', clusterCache);

describe('a warmup into Redis Cluster', () => {
  it('warms every strategy\u2019s keys across the masters, each readable where the cluster put it', async (ctx) => {
    const { database } = await useTestDatabase({ shop: true });
    const prefix = uniquePrefix('cluster-run');
    const cache = clusterCache(prefix);
    ctx.onTestFinished(async () => {
      await emptyCache(cache);
      await cache.close();
    });
    await cache.ready(10_000);
    const warmer = await testWarmer(database, cache, registerStrategies(new StrategyRegistry()).list());
    const summary = await (await warmer.startRun({ trigger: 'manual', triggeredBy: 'x', scope: { all: true } })).done;
    expect(summary.status).toBe('succeeded');
    const keys: string[] = [];
    for await (const batch of cache.scan('', 500)) keys.push(...batch);
    expect(keys).toHaveLength(summary.totals.warmed);
    // Spread over the masters: each holds some of them.
    const perNode = nodes.map((n) => {
      const raw = new Redis(n.port, '127.0.0.1');
      return raw.dbsize().finally(() => raw.disconnect());
    });
    const counts = await Promise.all(perNode);
    expect(counts.every((c) => c > 0)).toBe(true);
    figure(ctx.task, 'keys', summary.totals.warmed);
    figure(ctx.task, 'perMaster', counts.join('/'));
  });
});
