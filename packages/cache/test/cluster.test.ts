// A real Redis Cluster of three masters on private loopback ports: the cache works on it through a
// node-redis Cluster client, invalidations reach another instance, and Redis refuses nothing.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasRedisServerBinary, pingRedis } from '@bulwark/test-utils';
import { createCluster } from 'redis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cache, type Cache, type CacheRedisClient } from '@bulwark/cache';

/** Whether a TCP port on the loopback interface can be listened on now. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A port whose cluster bus port (port + 10000) is free too. */
async function clusterPort(taken: Set<number>): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 30_000);
    if (taken.has(port) || taken.has(port + 10_000)) continue;
    if ((await portIsFree(port)) && (await portIsFree(port + 10_000))) return port;
  }
  throw new Error('no free pair of ports for a cluster node');
}

async function eventually(check: () => boolean | Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const hasCli = spawnSync('redis-cli', ['--version'], { stdio: 'ignore' }).status === 0;

describe.skipIf((!hasRedisServerBinary() || !hasCli) && !process.env.CI)('[redis] a real 3-master Redis Cluster', () => {
  const nodes: ChildProcess[] = [];
  const ports: number[] = [];
  let dir = '';
  let cluster: ReturnType<typeof createCluster>;
  const open: Cache[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bulwark-cluster-'));
    const taken = new Set<number>();
    for (let i = 0; i < 3; i++) {
      const port = await clusterPort(taken);
      taken.add(port).add(port + 10_000);
      ports.push(port);
      const node = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`,
          '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'warning'],
        { stdio: 'ignore' },
      );
      nodes.push(node);
    }
    for (const port of ports) await eventually(() => pingRedis(`redis://127.0.0.1:${port}`, 250), `node ${port} answers`);
    const create = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stdout}${create.stderr}`);
    await eventually(
      () => ports.every((p) => /cluster_state:ok/.test(spawnSync('redis-cli', ['-p', String(p), 'cluster', 'info'], { encoding: 'utf8' }).stdout)),
      'cluster_state:ok on every node',
    );
    cluster = createCluster({ rootNodes: [{ url: `redis://127.0.0.1:${ports[0]}` }] });
    cluster.on('error', () => {});
    await cluster.connect();
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled(open.map((c) => c.close()));
    await cluster?.close().catch(() => {});
    // Each node by its own process id.
    await Promise.all(
      nodes.map(
        (node) =>
          new Promise<void>((resolve) => {
            if (node.exitCode !== null || node.signalCode !== null) return resolve();
            node.once('exit', () => resolve());
            node.kill('SIGKILL');
          }),
      ),
    );
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('getOrSet, get, set, tags, invalidation and leases across masters, with no error from Redis', async () => {
    const make = async (memory: boolean) => {
      const c = cache({ memory, ttlJitter: 0, earlyRefreshBeta: 0, redis: { client: cluster as unknown as CacheRedisClient, prefix: 'cl:', leasePollMs: 5, timeoutMs: 1_000 } });
      open.push(c);
      await c.ready();
      return c;
    };
    const a = await make(true);
    const b = await make(false);
    const errors: string[] = [];
    for (const c of [a, b]) c.onL2Error((e) => errors.push(`${e.operation}: ${e.error.message}`));

    // Keys spread over the three masters, tags and namespace counter on others still.
    const keys = Array.from({ length: 12 }, (_, i) => `user:${i}`).concat(['{', '}x', 'a{b}']);
    for (const key of keys) {
      expect(await a.getOrSet(key, async () => `${key}#1`, { tags: ['team:1', `k:${key}`] })).toBe(`${key}#1`);
      expect(await b.getOrSet(key, async () => 'unused', { tags: ['team:1'] })).toBe(`${key}#1`);
      expect(await b.get(key)).toBe(`${key}#1`);
    }
    // The entries really are spread over the masters.
    const holding = ports.filter((p) => Number(spawnSync('redis-cli', ['-p', String(p), 'dbsize'], { encoding: 'utf8' }).stdout.trim()) > 0);
    expect(holding).toHaveLength(3);

    await a.delete('user:1');
    expect(await b.get('user:1')).toBeUndefined();
    await a.invalidateTag('team:1');
    await eventually(async () => (await b.get('user:2')) === undefined, 'the tag invalidation reaches b');
    await eventually(() => a.peek('user:3') === undefined, 'and a’s memory');
    await a.set('gen', 1);
    expect(await b.get('gen')).toBe(1);
    await b.bumpNamespace();
    await eventually(async () => (await b.get('gen')) === undefined && a.peek('gen') === undefined, 'the namespace bump reaches both');

    // A contended lease: one load across the two instances.
    let loads = 0;
    let release!: (v: string) => void;
    const gate = new Promise<string>((r) => (release = r));
    const first = a.getOrSet('leased', () => {
      loads++;
      return gate;
    });
    const second = b.getOrSet('leased', async () => {
      loads++;
      return 'second';
    });
    await new Promise((r) => setTimeout(r, 50));
    release('first');
    expect(await Promise.all([first, second])).toEqual(['first', 'first']);
    expect(loads).toBe(1);
    expect(errors).toEqual([]);
  }, 60_000);
});
