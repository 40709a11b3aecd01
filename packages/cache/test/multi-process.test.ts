// Several processes on one Redis: one loader call per expiry across all of them, and invalidations
// reaching every process's memory.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { eventually, forkBuiltWorker, redisUnavailableReason, redisUrl } from '@bulwark/test-utils';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const PROCESSES = 4;
const dist = new URL('../dist/index.js', import.meta.url);
const workerPath = new URL('./worker.mjs', import.meta.url);

interface Worker {
  child: ChildProcess;
  call(msg: Record<string, unknown>): Promise<{ value?: unknown; error?: string }>;
}

function start(args: object): Promise<Worker> {
  // Plain Node, without the test runner's source conditions: the worker loads dist/ like a user would.
  const child = forkBuiltWorker(workerPath, { built: dist, args: [JSON.stringify(args)] });
  let next = 0;
  const waiting = new Map<number, (body: { value?: unknown; error?: string }) => void>();
  child.on('message', (m: { id?: number; value?: unknown; error?: string }) => {
    if (m.id === undefined) return;
    waiting.get(m.id)?.(m);
    waiting.delete(m.id);
  });
  const call = (msg: Record<string, unknown>) =>
    new Promise<{ value?: unknown; error?: string }>((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => reject(new Error(`worker did not answer ${JSON.stringify(msg)} within 10 s`)), 10_000);
      waiting.set(id, (body) => {
        clearTimeout(timer);
        if (body.error) reject(new Error(body.error));
        else resolve(body);
      });
      child.send({ ...msg, id });
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('worker did not start within 10 s')), 10_000);
    child.once('message', () => {
      clearTimeout(timer);
      resolve({ child, call });
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code} before it was ready`)));
  });
}

describe.skipIf(redisUnavailableReason !== undefined)(`[redis] ${PROCESSES} processes on one Redis`, () => {
  const prefix = `bulwark-test:${randomBytes(6).toString('hex')}:`;
  const workers: Worker[] = [];
  let redis: ReturnType<typeof createClient>;

  beforeAll(async () => {
    redis = createClient({ url: redisUrl! });
    redis.on('error', () => {});
    await redis.connect();
    workers.push(...(await Promise.all(Array.from({ length: PROCESSES }, (_, i) => start({ url: redisUrl, prefix, name: `p${i}` })))));
  });
  afterAll(async () => {
    await Promise.allSettled(workers.map((w) => w.call({ op: 'close' })));
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    if (redis) {
      const keys: string[] = [];
      for await (const batch of redis.scanIterator({ MATCH: `${prefix}*` })) keys.push(...batch);
      if (keys.length > 0) await redis.del(keys);
      await redis.close();
    }
  });

  const all = (msg: Record<string, unknown>) => Promise.all(workers.map((w) => w.call(msg)));
  const loads = async (key: string) => Number((await redis.get(`${prefix}loads:${key}`)) ?? 0);

  test('one loader call per expiry across all processes', async () => {
    for (let expiry = 1; expiry <= 3; expiry++) {
      // Every process asks at once, several times each.
      const answers = await Promise.all(workers.flatMap((w) => [1, 2, 3].map(() => w.call({ op: 'getOrSet', key: 'hot' }))));
      expect(new Set(answers.map((a) => a.value))).toEqual(new Set([`hot#${expiry}`]));
      expect(await loads('hot')).toBe(expiry);
      await all({ op: 'advance', ms: 1_500 }); // past ttlMs everywhere
    }
  });

  test('invalidation by key, tag and namespace reaches every process', async () => {
    await Promise.all(workers.map((w) => w.call({ op: 'getOrSet', key: 'shared' })));
    await workers[0]!.call({ op: 'set', key: 'tagged', value: 1, tags: ['t'] });
    await Promise.all(workers.map((w) => w.call({ op: 'getOrSet', key: 'tagged' })));
    const peeks = async (key: string) => (await all({ op: 'peek', key })).map((r) => r.value);
    expect((await peeks('shared')).every((v) => v !== null)).toBe(true);
    expect(await peeks('tagged')).toEqual(workers.map(() => 1));

    await workers[1]!.call({ op: 'delete', key: 'shared' });
    await eventually(async () => (await peeks('shared')).every((v) => v === null));
    await workers[2]!.call({ op: 'invalidateTag', tag: 't' });
    await eventually(async () => (await peeks('tagged')).every((v) => v === null));
    await Promise.all(workers.map((w) => w.call({ op: 'getOrSet', key: 'generation' })));
    expect((await peeks('generation')).every((v) => v !== null)).toBe(true);
    await workers[3]!.call({ op: 'bumpNamespace' });
    await eventually(async () => (await peeks('generation')).every((v) => v === null));
  });
});
