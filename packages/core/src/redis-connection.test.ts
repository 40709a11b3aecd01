import { describe, expect, test } from 'vitest';
import { createFakeClock, isRedisCluster, isStoreUnavailableError, redisConnection, redisScript, StoreUnavailableError, TimeoutError, type RedisClient } from './index.js';

interface Sent {
  readonly via: string;
  readonly args: unknown[];
  readonly view: boolean;
}

/** A client whose replies the test gives: `answer` settles the oldest call still waiting. */
function fakeClient(options: { cluster?: boolean; raw?: boolean; noScriptOnce?: boolean } = {}) {
  const sent: Sent[] = [];
  const waiting: Array<{ resolve: (value: unknown) => void; reject: (error: unknown) => void }> = [];
  let noScript = options.noScriptOnce ?? false;
  const base = {
    isReady: true,
    view: false,
    withCommandOptions(o: { timeout: number }) {
      expect(o).toEqual({ timeout: 0 });
      return Object.assign(Object.create(this) as object, { view: true });
    },
  };
  const record = (self: { view: boolean }, via: string, args: unknown[]): Promise<unknown> => {
    sent.push({ via, args, view: self.view });
    if (noScript && (via === 'evalSha' || (via === 'raw' && args[0] === 'EVALSHA'))) {
      noScript = false;
      return Promise.reject(new Error('NOSCRIPT No matching script. Please use EVAL.'));
    }
    return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
  };
  const client = Object.assign(base, {
    evalSha(this: { view: boolean }, ...args: unknown[]) {
      return record(this, 'evalSha', args);
    },
    eval(this: { view: boolean }, ...args: unknown[]) {
      return record(this, 'eval', args);
    },
    get(this: { view: boolean }, ...args: unknown[]) {
      return record(this, 'get', args);
    },
    ...(options.raw === false ? {} : { sendCommand: (args: unknown[], o: unknown) => (expect(o).toEqual({ timeout: 0 }), record({ view: false }, 'raw', args)) }),
    ...(options.cluster === true ? { masters: [] } : {}),
  });
  return {
    client: client as unknown as RedisClient & { isReady: boolean },
    sent,
    answer: (value: unknown) => waiting.shift()!.resolve(value),
    fail: (error: unknown) => waiting.shift()!.reject(error),
  };
}

const SCRIPT = redisScript("return redis.call('GET', KEYS[1])");

describe('redisConnection', () => {
  test('sends through the view without a per-command timer, and answers', async () => {
    const fake = fakeClient();
    const redis = redisConnection('testStore', fake.client, { timeoutMs: 250, clock: createFakeClock() });
    const reply = redis.call('read', (c) => c.get('k'));
    fake.answer('v');
    await expect(reply).resolves.toBe('v');
    expect(fake.sent).toEqual([{ via: 'get', args: ['k'], view: true }]);
  });

  test('a client that is not ready fails at once, without sending', async () => {
    const fake = fakeClient();
    fake.client.isReady = false;
    const redis = redisConnection('testStore', fake.client, { timeoutMs: 250 });
    const error = await redis.call('read', (c) => c.get('k')).catch((e: unknown) => e);
    expect(isStoreUnavailableError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'STORE_UNAVAILABLE', store: 'testStore', operation: 'read', transient: true });
    expect((error as Error).message).toBe('The store (testStore) could not read: the Redis client is not connected.');
    expect(fake.sent).toEqual([]);
  });

  test('past the deadline the call fails with StoreUnavailableError, and a late reply goes to onLate', async () => {
    const clock = createFakeClock();
    const fake = fakeClient();
    const redis = redisConnection('testStore', fake.client, { timeoutMs: 250, clock });
    const late: unknown[] = [];
    const call = redis.call('acquire', (c) => c.get('lease'), (reply) => late.push(reply)).catch((e: unknown) => e);
    await clock.tickAsync(249);
    expect(late).toEqual([]);
    await clock.tickAsync(1);
    const error = await call;
    expect(error).toMatchObject({ code: 'STORE_UNAVAILABLE', operation: 'acquire' });
    expect((error as Error).message).toBe('The store (testStore) could not acquire: Redis did not answer within 250 ms.');
    fake.answer('granted');
    await Promise.resolve();
    expect(late).toEqual(['granted']);
  });

  test('a reply in time never goes to onLate', async () => {
    const clock = createFakeClock();
    const fake = fakeClient();
    const redis = redisConnection('testStore', fake.client, { timeoutMs: 250, clock });
    const late: unknown[] = [];
    const call = redis.call('acquire', (c) => c.get('lease'), (reply) => late.push(reply));
    fake.answer('granted');
    await expect(call).resolves.toBe('granted');
    await clock.tickAsync(1_000);
    expect(late).toEqual([]);
  });

  test("a driver's failure becomes StoreUnavailableError with it as the cause", async () => {
    const fake = fakeClient();
    const redis = redisConnection('testStore', fake.client, { timeoutMs: 250 });
    const call = redis.call('write', (c) => c.get('k')).catch((e: unknown) => e);
    const cause = new Error('READONLY You can\'t write against a read only replica.');
    fake.fail(cause);
    const error = await call;
    expect(error).toMatchObject({ code: 'STORE_UNAVAILABLE', operation: 'write', cause });
    expect((error as Error).message).toBe('The store (testStore) could not write: the call failed with Error.');
  });

  test('a standalone client runs scripts by SHA on its raw command path, and by text once after NOSCRIPT', async () => {
    const fake = fakeClient({ noScriptOnce: true });
    const redis = redisConnection('testStore', fake.client, { timeoutMs: 250 });
    expect(redis.cluster).toBe(false);
    const reply = redis.script('read', SCRIPT, ['k'], ['1'], (r) => `read ${String(r)}`);
    await Promise.resolve();
    await Promise.resolve();
    fake.answer('v');
    await expect(reply).resolves.toBe('read v');
    expect(fake.sent.map((s) => s.args)).toEqual([
      ['EVALSHA', SCRIPT.sha, '1', 'k', '1'],
      ['EVAL', SCRIPT.source, '1', 'k', '1'],
    ]);
    const again = redis.script('read', SCRIPT, ['k'], [], String);
    fake.answer('w');
    await expect(again).resolves.toBe('w');
    expect(fake.sent[2]!.args).toEqual(['EVALSHA', SCRIPT.sha, '1', 'k']);
  });

  test('a Cluster client runs scripts through evalSha and eval, which route by key', async () => {
    const fake = fakeClient({ cluster: true, noScriptOnce: true });
    expect(isRedisCluster(fake.client)).toBe(true);
    const redis = redisConnection('testStore', fake.client, { timeoutMs: 250 });
    expect(redis.cluster).toBe(true);
    const reply = redis.script('read', SCRIPT, ['{a}:k'], ['x'], String);
    await Promise.resolve();
    await Promise.resolve();
    fake.answer('v');
    await expect(reply).resolves.toBe('v');
    expect(fake.sent).toEqual([
      { via: 'evalSha', args: [SCRIPT.sha, { keys: ['{a}:k'], arguments: ['x'] }], view: true },
      { via: 'eval', args: [SCRIPT.source, { keys: ['{a}:k'], arguments: ['x'] }], view: true },
    ]);
  });

  test('a script that fails otherwise is not sent again', async () => {
    const fake = fakeClient({ raw: false });
    const redis = redisConnection('testStore', fake.client, { timeoutMs: 250 });
    const reply = redis.script('decide', SCRIPT, ['k'], [], String).catch((e: unknown) => e);
    fake.fail(new Error('ERR value is not an integer or out of range'));
    expect(await reply).toMatchObject({ code: 'STORE_UNAVAILABLE', operation: 'decide' });
    expect(fake.sent).toHaveLength(1);
  });

  test('StoreUnavailableError.from: a store failure passes as it is, a timeout says how long, anything else is wrapped', () => {
    const failed = new StoreUnavailableError('a', 'read', 'down');
    expect(StoreUnavailableError.from('b', 'write', failed)).toBe(failed);
    expect(StoreUnavailableError.from('b', 'write', new TimeoutError(80)).message).toBe('The store (b) could not write: Redis did not answer within 80 ms.');
    const cause = new Error('ECONNRESET');
    expect(StoreUnavailableError.from('b', 'write', cause)).toMatchObject({ code: 'STORE_UNAVAILABLE', store: 'b', operation: 'write', cause, transient: true });
    expect(StoreUnavailableError.from('b', 'write', 'text').message).toBe('The store (b) could not write: the call failed with string.');
  });

  test('a failing client is described by its error name and code, never by its message, which may hold a key or a password', async () => {
    const fake = fakeClient({ raw: false });
    const redis = redisConnection('testStore', fake.client, { timeoutMs: 250 });
    const reply = redis.call('read', (c) => c.get('session:alice')).catch((e: unknown) => e);
    // bulwark-allow-secret: a fake password, to show it stays out of the message
    const cause = Object.assign(new Error('connect ECONNREFUSED redis://:hunter2-secret@cache.internal:6379 (session:alice)'), { code: 'ECONNREFUSED' });
    fake.fail(cause);
    const error = (await reply) as StoreUnavailableError;
    expect(error.message).toBe('The store (testStore) could not read: the call failed with Error ECONNREFUSED.');
    expect(error.cause).toBe(cause);
    expect(JSON.stringify(error)).not.toMatch(/hunter2|session:alice/);
  });

  test("a Redis error reply is described by its kind, the word it starts with, and not by the arguments it quotes", async () => {
    /** node-redis's class for a server's error reply (ioredis calls it ReplyError); it has no `code`. */
    class ErrorReply extends Error {}
    class SimpleError extends ErrorReply {}
    const fake = fakeClient({ raw: false });
    const redis = redisConnection('testStore', fake.client, { timeoutMs: 250 });
    const reply = redis.call('write', (c) => c.get('session:alice')).catch((e: unknown) => e);
    fake.fail(new SimpleError("ERR unknown command 'GETX', with args beginning with: 'session:alice'"));
    expect(((await reply) as Error).message).toBe('The store (testStore) could not write: the call failed with SimpleError ERR.');
    const readonly = StoreUnavailableError.from('b', 'write', new ErrorReply("READONLY You can't write against a read only replica."));
    expect(readonly.message).toBe('The store (b) could not write: the call failed with ErrorReply READONLY.');
  });
});
