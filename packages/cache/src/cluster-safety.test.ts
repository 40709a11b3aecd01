// Redis Cluster runs a command only when every key it names hashes to one slot (else CROSSSLOT).
// These tests put a recording wrapper between the cache and a real Redis: it computes the slot of
// every key of every command and refuses, as a cluster would, any command touching two slots.
import { deferred, describeRedis, useRedis } from '@bulwark/test-utils';
import type { RedisClientType } from 'redis';
import { afterEach, describe, expect, test } from 'vitest';
import type { RedisClient } from '@bulwark/core';
import { cache, redisCacheStore, type Cache } from './index.js';

/** CRC16/XMODEM (polynomial 0x1021, initial 0), the checksum Redis Cluster hashes keys with. */
function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** The cluster slot of a key: only the text between the first `{` and the next `}` counts, when that is not empty. */
function hashSlot(key: string): number {
  let hashed = key;
  const open = key.indexOf('{');
  if (open !== -1) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) hashed = key.slice(open + 1, close);
  }
  return crc16(Buffer.from(hashed, 'utf8')) % 16384;
}

async function eventually(check: () => Promise<boolean>, ms = 3_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

interface Sent {
  readonly command: string;
  readonly keys: readonly string[];
}

// Where each client method the cache may call keeps its keys. A method not
// listed here, and not in `notCommands`, fails the test: nothing reaches Redis unchecked.
const keysOf: Record<string, (args: readonly unknown[]) => readonly string[]> = {
  get: (a) => [a[0] as string],
  set: (a) => [a[0] as string],
  mGet: (a) => a[0] as string[],
  del: (a) => (Array.isArray(a[0]) ? a[0] : [a[0] as string]),
  unlink: (a) => (Array.isArray(a[0]) ? a[0] : [a[0] as string]),
  eval: (a) => (a[1] as { keys?: string[] } | undefined)?.keys ?? [],
  evalSha: (a) => (a[1] as { keys?: string[] } | undefined)?.keys ?? [],
  // A standalone client's raw path: [EVAL|EVALSHA, script, numkeys, ...keys, ...args].
  sendCommand: (a) => {
    const args = a[0] as string[];
    if (args[0] !== 'EVAL' && args[0] !== 'EVALSHA') throw new Error(`raw ${args[0]}: not a command this test knows the keys of`);
    return args.slice(3, 3 + Number(args[2]));
  },
  info: () => [],
  publish: () => [], // a channel, not a key
};
const notCommands = new Set(['on', 'off', 'once', 'addListener', 'removeListener', 'emit', 'connect', 'close', 'destroy', 'subscribe', 'unsubscribe']);

/** A node-redis client that records every command and refuses those touching two slots. */
function recording(client: RedisClientType) {
  const sent: Sent[] = [];
  const refused: string[] = [];
  const wrap = (target: object): RedisClient =>
    new Proxy(target, {
      get(t, property) {
        const value = Reflect.get(t, property) as unknown;
        if (typeof value !== 'function' || typeof property !== 'string') return value;
        if (property === 'duplicate') return () => wrap((value as () => object).call(t));
        // The cache sends its commands through a view of the client with other command options.
        if (property === 'withCommandOptions') return (options: object) => wrap((value as (o: object) => object).call(t, options));
        if (notCommands.has(property)) return (...args: unknown[]) => (value as (...a: unknown[]) => unknown).apply(t, args);
        return (...args: unknown[]) => {
          const keys = keysOf[property]?.(args);
          if (keys === undefined) {
            refused.push(`${property}: not a command this test knows the keys of`);
            return Promise.reject(new Error(`unknown command ${property}`));
          }
          sent.push({ command: property, keys });
          const slots = new Set(keys.map(hashSlot));
          if (slots.size > 1) {
            refused.push(`${property} ${keys.join(' ')}: slots ${[...slots].join(', ')}`);
            return Promise.reject(new Error("CROSSSLOT Keys in request don't hash to the same slot"));
          }
          return (value as (...a: unknown[]) => unknown).apply(t, args);
        };
      },
    }) as unknown as RedisClient;
  return { client: wrap(client), sent, refused };
}

describe('the hash slot function', () => {
  test('matches the Redis Cluster specification', () => {
    expect(crc16(Buffer.from('123456789'))).toBe(0x31c3); // the CRC16/XMODEM check value
    expect(hashSlot('123456789')).toBe(12739);
    expect(hashSlot('{user1000}.following')).toBe(hashSlot('{user1000}.followers'));
    expect(hashSlot('{user1000}.following')).toBe(hashSlot('user1000'));
    expect(hashSlot('foo{}{bar}')).toBe(crc16(Buffer.from('foo{}{bar}')) % 16384); // an empty tag: the whole key
    expect(hashSlot('foo{{bar}}zap')).toBe(hashSlot('{bar')); // from the first { to the next }
    expect(hashSlot('foo{bar}{zap}')).toBe(hashSlot('bar'));
  });
});

describeRedis('Redis Cluster safety: every command the cache sends touches one hash slot', () => {
  const redis = useRedis();
  const open: Cache[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
  });

  test('the recording client refuses a command touching two slots, as a cluster would', async () => {
    const rec = recording(redis.client);
    const [a, b] = [redis.key('a'), redis.key('b')];
    expect(hashSlot(a)).not.toBe(hashSlot(b));
    await expect((rec.client as unknown as RedisClientType).mGet([a, b])).rejects.toThrow(/CROSSSLOT/);
    expect(rec.refused).toHaveLength(1);
    expect(await (rec.client as unknown as RedisClientType).mGet([`${a}{x}`, `${b}{x}`])).toEqual([null, null]);
  });

  // Keys and tags with braces (which would move a hash tag) and with the escape character.
  const awkward = ['plain', 'user:{42}', '}first', '{', '{}', 'a{b', 'a%7Bb', 'multi\nline'];

  for (const oddPrefix of [false, true]) {
    test(`getOrSet, get, set, delete, invalidateTag, bumpNamespace and leases${oddPrefix ? ', under a prefix holding a brace' : ''}`, async () => {
      const rec = recording(redis.client);
      const prefix = oddPrefix ? `${redis.prefix}a{b:` : redis.prefix;
      const errors: string[] = [];
      const make = async (memory: boolean) => {
        const c = cache({ memory, ttlJitter: 0, earlyRefreshBeta: 0, store: redisCacheStore({ client: rec.client, prefix, leasePollMs: 5 }) });
        c.onStoreError((e) => errors.push(`${e.operation}: ${e.error.message}`));
        open.push(c);
        await c.ready();
        return c;
      };
      const a = await make(true);
      const b = await make(false);
      const tags = ['t1', 'team:{x}', '}'];
      for (const key of awkward) {
        expect(await a.getOrSet(key, async () => `${key}#1`, { tags })).toBe(`${key}#1`); // miss: lease, load, write
        expect(await b.getOrSet(key, async () => 'unused', { tags })).toBe(`${key}#1`); // read from Redis
        expect(await b.get(key)).toBe(`${key}#1`);
        await a.set(key, `${key}#2`, { tags: ['t2'] });
        expect(await b.get(key)).toBe(`${key}#2`);
        await a.delete(key);
        expect(await b.get(key)).toBeUndefined();
      }
      // b trusts the versions it remembers until the announcement reaches it.
      await a.set('tagged', 1, { tags });
      expect(await b.get('tagged')).toBe(1);
      await a.invalidateTag('team:{x}');
      await eventually(async () => (await b.get('tagged')) === undefined);
      await a.set('generation', 1);
      expect(await b.get('generation')).toBe(1);
      await a.bumpNamespace();
      await eventually(async () => (await b.get('generation')) === undefined);

      // A lease held by one instance while the other waits for its result.
      const gate = deferred<string>();
      let loads = 0;
      const first = a.getOrSet('{leased}', () => {
        loads++;
        return gate.promise;
      });
      const second = b.getOrSet('{leased}', async () => {
        loads++;
        return 'second';
      });
      await new Promise((r) => setTimeout(r, 30)); // b polls a few times meanwhile
      gate.resolve('first');
      expect(await Promise.all([first, second])).toEqual(['first', 'first']);
      expect(loads).toBe(1);

      expect(rec.refused).toEqual([]);
      expect(errors).toEqual([]);
      const commands = new Set(rec.sent.map((s) => s.command));
      // Scripts go by the standalone client's raw command path (EVALSHA, or EVAL after NOSCRIPT).
      for (const command of ['get', 'mGet', 'set', 'sendCommand']) expect(commands).toContain(command);
      // Multi-key commands were sent, each within one slot.
      const multi = rec.sent.filter((s) => s.keys.length > 1);
      expect(multi.map((s) => s.command)).toEqual(expect.arrayContaining(['mGet', 'sendCommand']));
      for (const s of multi) expect(new Set(s.keys.map(hashSlot)).size).toBe(1);
    });
  }

  test('versions come from Redis until the subscription is up, and again after it reconnects; then a read is one GET', async () => {
    const rec = recording(redis.client);
    const subscriber = await redis.connect();
    const id = await subscriber.clientId();
    const seed = cache({ store: redisCacheStore({ client: redis.client, prefix: redis.prefix }) });
    open.push(seed);
    await seed.set('k', 'v');
    const c = cache({ memory: false, store: redisCacheStore({ client: rec.client, subscriber: subscriber, prefix: redis.prefix }) });
    open.push(c);
    const read = async () => {
      rec.sent.length = 0;
      expect(await c.get('k')).toBe('v');
      return rec.sent.map((s) => `${s.command} ${s.keys.map((k) => k.slice(redis.prefix.length)).join(' ')}`);
    };
    const full = ['mGet {k} {k}:v', 'get ns'];
    expect(await read()).toEqual(full); // before the subscription is ready
    await c.ready();
    expect(await read()).toEqual(full); // first read with a healthy subscription
    expect(await read()).toEqual(['get {k}']);
    expect(await read()).toEqual(['get {k}']);

    const down = new Promise((resolve) => subscriber.once('error', resolve));
    await redis.client.clientKill({ filter: 'ID', id });
    await down;
    // node-redis reconnects at once: still away or just subscribed again, versions are read afresh.
    expect(await read()).toEqual(full);
    await eventually(async () => subscriber.isReady);
    expect([full, ['get {k}']]).toContainEqual(await read());
    expect(await read()).toEqual(['get {k}']);
    expect(rec.refused).toEqual([]);
  });
});
