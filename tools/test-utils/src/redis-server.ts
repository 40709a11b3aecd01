// Finding, pinging and starting Redis servers for tests. Node built-ins only, so the test runner
// script can load this file directly (Node strips the types) before any bundler is involved.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The Redis URL tests use unless `REDIS_URL` says otherwise. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

function encode(args: string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
}

/** Answers whether a Redis server replies to PING at `url` within `timeoutMs`; never throws. */
export function pingRedis(url: string, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      resolve(false);
      return;
    }
    const socket = connect({ host: parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1', port: Number(parsed.port || 6379) });
    let buffer = '';
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('error', () => done(false));
    socket.on('connect', () => {
      let payload = '';
      if (parsed.password) {
        const user = decodeURIComponent(parsed.username || 'default');
        payload += encode(['AUTH', user, decodeURIComponent(parsed.password)]);
      }
      socket.write(payload + encode(['PING']));
    });
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      if (buffer.includes('+PONG')) done(true);
      else if (buffer.includes('-')) done(false);
    });
  });
}

/** Whether a `redis-server` binary is on the PATH. */
export function hasRedisServerBinary(): boolean {
  const result = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  return result.status === 0;
}

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('Could not determine a free port.'));
      });
    });
  });
}

/** A private `redis-server` started by a test, on a loopback port of its own. */
export interface PrivateRedisServer {
  readonly url: string;
  readonly port: number;
  /** The process id of the running server, or `undefined` while it is stopped. */
  readonly pid: number | undefined;
  /** Whether the server is running now. */
  readonly running: boolean;
  /** Stops the server gracefully and waits for it to exit. */
  stop(): Promise<void>;
  /** Kills the server at once (SIGKILL), as a crash would, and waits for it to exit. */
  kill(): Promise<void>;
  /** Starts the server again on the same port, after `stop` or `kill`. */
  start(): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Starts a `redis-server` of its own on a free loopback port (no persistence), waiting until it
 * answers PING. Use it for tests that must stop, kill or restart a server — never the shared one.
 * The server is killed when the process exits, should a test forget to stop it.
 */
export async function startRedisServer(
  options: {
    readonly startTimeoutMs?: number;
    /** More `redis-server` arguments, such as `['--cluster-enabled', 'yes']`. */
    readonly args?: readonly string[];
    /** The server's working directory (`--dir`), for files such as a cluster's node table. */
    readonly dir?: string;
  } = {},
): Promise<PrivateRedisServer> {
  if (!hasRedisServerBinary()) {
    throw new Error('Cannot start a private Redis: no `redis-server` on the PATH (Debian: apt-get install redis-server).');
  }
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const startTimeoutMs = options.startTimeoutMs ?? 10_000;
  let child: ChildProcess | undefined;

  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of live) c.kill('SIGKILL');
    });
  }

  const start = async (): Promise<void> => {
    if (child !== undefined) return;
    const proc = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
        '--loglevel',
        'warning',
        ...(options.dir === undefined ? [] : ['--dir', options.dir]),
        ...(options.args ?? []),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child = proc;
    live.add(proc);
    let stderr = '';
    proc.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    proc.once('exit', () => {
      live.delete(proc);
      if (child === proc) child = undefined;
    });
    const deadline = Date.now() + startTimeoutMs;
    while (Date.now() < deadline) {
      if (await pingRedis(url, 250)) return;
      if (proc.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    proc.kill('SIGKILL');
    throw new Error(`redis-server on port ${port} did not answer within ${startTimeoutMs} ms. ${stderr.trim()}`);
  };

  const halt = async (signal: NodeJS.Signals): Promise<void> => {
    const proc = child;
    if (proc === undefined) return;
    proc.kill(signal);
    await waitForExit(proc);
  };

  await start();
  return {
    url,
    port,
    get pid() {
      return child?.pid;
    },
    get running() {
      return child !== undefined;
    },
    stop: () => halt('SIGTERM'),
    kill: () => halt('SIGKILL'),
    start,
  };
}

/** A private Redis Cluster of masters on loopback ports, started by a test. */
export interface PrivateRedisCluster {
  /** The masters, one per node; each answers as a cluster node. */
  readonly nodes: readonly PrivateRedisServer[];
  /** `redis://127.0.0.1:<port>` of every node, for node-redis `createCluster({ rootNodes })`. */
  readonly urls: readonly string[];
  /** Stops every node and removes their working directories. */
  stop(): Promise<void>;
}

/**
 * Starts a Redis Cluster of `masters` nodes (default 3, no replicas) on free loopback ports, and
 * waits until every node reports `cluster_state:ok`. For tests that must prove a store is
 * Cluster-safe: a command whose keys span two hash slots fails there with CROSSSLOT.
 */
export async function startRedisCluster(options: { readonly masters?: number; readonly readyTimeoutMs?: number } = {}): Promise<PrivateRedisCluster> {
  const masters = options.masters ?? 3;
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  if (spawnSync('redis-cli', ['--version'], { stdio: 'ignore' }).status !== 0) {
    throw new Error('Cannot start a private Redis Cluster: no `redis-cli` on the PATH (Debian: apt-get install redis-tools).');
  }
  const root = mkdtempSync(join(tmpdir(), 'bulwark-cluster-'));
  const nodes: PrivateRedisServer[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map((n) => n.kill()));
    rmSync(root, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i++) {
      const dir = join(root, String(i));
      mkdirSync(dir);
      // The cluster bus gets a free port of its own: the default, port + 10000, may be taken or above 65535.
      const busPort = await freePort();
      nodes.push(
        await startRedisServer({
          dir,
          args: ['--cluster-enabled', 'yes', '--cluster-port', String(busPort), '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '2000'],
        }),
      );
    }
    const create = spawnSync('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes'], {
      encoding: 'utf8',
      timeout: readyTimeoutMs,
    });
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed (exit ${create.status}): ${create.stdout}${create.stderr}`);
    const deadline = Date.now() + readyTimeoutMs;
    for (const node of nodes) {
      for (;;) {
        const info = spawnSync('redis-cli', ['-p', String(node.port), 'cluster', 'info'], { encoding: 'utf8' }).stdout;
        if (info.includes('cluster_state:ok')) break;
        if (Date.now() > deadline) throw new Error(`The cluster node on port ${node.port} did not reach cluster_state:ok within ${readyTimeoutMs} ms.`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes, urls: nodes.map((n) => n.url), stop };
}

/** What {@link ensureRedis} found. */
export interface RedisAvailability {
  /** The URL to use, when a server answers. */
  readonly url: string | undefined;
  /** Why no server is available, when none is. */
  readonly unavailableReason: string | undefined;
  /** A server this process started, to stop when the run is over. */
  readonly started: PrivateRedisServer | undefined;
}

/**
 * Finds a Redis for the test run: `REDIS_URL` (or the default) if it answers; otherwise a private
 * `redis-server` started on a free port when the binary is on the PATH; otherwise a reason why not.
 */
export async function ensureRedis(
  env: NodeJS.ProcessEnv = process.env,
  defaultUrl: string = DEFAULT_REDIS_URL,
): Promise<RedisAvailability> {
  const wanted = env.REDIS_URL || defaultUrl;
  if (await pingRedis(wanted)) return { url: wanted, unavailableReason: undefined, started: undefined };
  if (env.REDIS_URL) {
    return { url: undefined, unavailableReason: `REDIS_URL=${redact(wanted)} does not answer PING`, started: undefined };
  }
  if (hasRedisServerBinary()) {
    const started = await startRedisServer();
    return { url: started.url, unavailableReason: undefined, started };
  }
  return {
    url: undefined,
    unavailableReason: `nothing answers at ${wanted} and no redis-server is on the PATH (Debian: apt-get install redis-server, or set REDIS_URL)`,
    started: undefined,
  };
}

/** A URL with its password replaced, for messages. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unparsable URL)';
  }
}
