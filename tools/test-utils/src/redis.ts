import { randomBytes } from 'node:crypto';
import { createClient, type RedisClientType } from 'redis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, inject } from 'vitest';
import { startRedisServer, type PrivateRedisServer } from './redis-server.js';

/** Why Redis tests are skipped in this run, or `undefined` when a server is available. */
export const redisUnavailableReason: string | undefined = inject('redisUnavailableReason');

/** The Redis URL of this run (shared server), when one is available. */
export const redisUrl: string | undefined = inject('redisUrl');

/** Marks a Redis test suite in test names; the runner counts skipped suites by it. */
export const REDIS_TAG = '[redis]';

/**
 * `describe` for tests that need Redis. Skipped when no Redis could be had outside CI (the runner
 * reports how many and why); under CI the run fails before it gets here.
 */
export const describeRedis = (name: string, fn: () => void): void => {
  describe.skipIf(redisUnavailableReason !== undefined)(`${REDIS_TAG} ${name}`, fn);
};

/** A connected client and a key prefix of the current test's own. */
export interface RedisFixture {
  /** The shared client, connected before the suite. */
  readonly client: RedisClientType;
  /** A prefix unique to the current test, such as `bulwark-test:3f9a1c:`; every key the test makes should start with it. */
  readonly prefix: string;
  /** `prefix + name`. */
  key(name: string): string;
  /** Opens another connection to the same server (closed after the suite). */
  connect(): Promise<RedisClientType>;
}

async function deleteByPrefix(client: RedisClientType, prefix: string): Promise<void> {
  const batch: string[] = [];
  for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
    batch.push(...(Array.isArray(keys) ? keys : [keys]));
  }
  if (batch.length > 0) await client.del(batch);
}

/**
 * Registers hooks in the enclosing `describeRedis`: connect before the suite, a fresh key prefix
 * before each test, deletion of every key under it after each test, and disconnection at the end.
 */
export function useRedis(): RedisFixture {
  let client: RedisClientType | undefined;
  let prefix = '';
  const extra: RedisClientType[] = [];
  const open = async (): Promise<RedisClientType> => {
    if (redisUrl === undefined) throw new Error(`Redis is unavailable: ${redisUnavailableReason}`);
    const c = createClient({ url: redisUrl }) as RedisClientType;
    c.on('error', () => {});
    await c.connect();
    return c;
  };

  beforeAll(async () => {
    client = await open();
  });
  beforeEach(() => {
    prefix = `bulwark-test:${randomBytes(6).toString('hex')}:`;
  });
  afterEach(async () => {
    if (client !== undefined && prefix) await deleteByPrefix(client, prefix);
  });
  afterAll(async () => {
    await Promise.all([...extra, ...(client ? [client] : [])].map((c) => c.close()));
  });

  return {
    get client() {
      if (client === undefined) throw new Error('The Redis fixture is used outside its suite, or before it connected.');
      return client;
    },
    get prefix() {
      return prefix;
    },
    key: (name: string) => `${prefix}${name}`,
    async connect() {
      const c = await open();
      extra.push(c);
      return c;
    },
  };
}

/** A private server of a fault test and a client connected to it; see {@link usePrivateRedis}. */
export interface PrivateRedisFixture {
  /** The server, to stop, kill and start again. */
  readonly server: PrivateRedisServer;
  /**
   * A client of the server that reconnects every 50 ms (so a restarted server is found again at
   * once), with connect attempts bounded by 500 ms and its error events swallowed: the test watches
   * the code under test, not the client.
   */
  readonly client: RedisClientType;
}

/**
 * Registers hooks in the enclosing suite: start a private `redis-server` and connect a client
 * before it, destroy the client and kill the server after it. For tests that kill or restart Redis
 * — never the shared one.
 */
export function usePrivateRedis(): PrivateRedisFixture {
  let server: PrivateRedisServer | undefined;
  let client: RedisClientType | undefined;
  beforeAll(async () => {
    server = await startRedisServer();
    client = createClient({ url: server.url, socket: { reconnectStrategy: () => 50, connectTimeout: 500 } }) as RedisClientType;
    client.on('error', () => {});
    await client.connect();
  });
  afterAll(async () => {
    client?.destroy();
    await server?.kill();
  });
  const unready = (): never => {
    throw new Error('The private Redis fixture is used outside its suite, or before it started.');
  };
  return {
    get server() {
      return server ?? unready();
    },
    get client() {
      return client ?? unready();
    },
  };
}
