import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describeRedis, forkBuiltWorker, redisUrl, useRedis } from '@bulwark/test-utils';
import { afterAll, beforeAll, expect, test } from 'vitest';

// Several real processes share one circuit through Redis. Each imports @bulwark/breaker by name,
// which resolves to the built dist: `npm test` builds first.
const DIST = new URL('../dist/index.js', import.meta.url);
const WORKER = new URL('./shared-worker.mjs', import.meta.url);
const SYNC_MS = 100;
const TIMEOUT_MS = 250;
const BREAK_MS = 10_000;
const GAP_MS = 5;
/** What the README promises: a shared opening reaches an instance that is making calls within this. */
const BOUND_MS = SYNC_MS + TIMEOUT_MS + GAP_MS;
/** Room for a loaded machine's event loops (two cores, several builds at once). */
const SCHEDULING_SLACK_MS = 250;

interface Reply {
  readonly id?: number;
  readonly error?: string;
  readonly state?: string;
  readonly rejectedAt?: number | null;
  readonly calls?: number;
  readonly sharedErrors?: string[];
}

describeRedis('shared circuit state across processes', () => {
  const redis = useRedis();
  const prefix = `bulwark-test:mp-${randomBytes(4).toString('hex')}:`;
  const children: ChildProcess[] = [];
  let nextId = 0;

  const request = (child: ChildProcess, msg: object, timeoutMs: number): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      const timer = setTimeout(() => reject(new Error(`worker did not answer ${JSON.stringify(msg)} within ${timeoutMs} ms`)), timeoutMs);
      const onMessage = (reply: Reply) => {
        if (reply.id !== id) return;
        clearTimeout(timer);
        child.off('message', onMessage);
        if (reply.error) reject(new Error(reply.error));
        else resolve(reply);
      };
      child.on('message', onMessage);
      child.send({ ...msg, id });
    });

  beforeAll(async () => {
    for (const instance of ['a', 'b', 'c', 'd']) {
      const child = forkBuiltWorker(WORKER, {
        built: DIST,
        env: { REDIS_URL: redisUrl, PREFIX: prefix, INSTANCE: instance, SYNC_MS: String(SYNC_MS), TIMEOUT_MS: String(TIMEOUT_MS), BREAK_MS: String(BREAK_MS) },
      });
      children.push(child);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`worker ${instance} did not start within 10 s`)), 10_000);
        child.once('message', () => {
          clearTimeout(timer);
          resolve();
        });
        child.once('exit', (code) => reject(new Error(`worker ${instance} exited with ${code} before it was ready`)));
      });
    }
  }, 30_000);

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    for await (const keys of redis.client.scanIterator({ MATCH: `${prefix}*` })) if (keys.length > 0) await redis.client.del(keys);
  });

  test('one sick instance does not open the circuit for the others; a quorum does, within the stated bound', async () => {
    const [a, b, c, d] = children as [ChildProcess, ChildProcess, ChildProcess, ChildProcess];
    const openKey = `${prefix}{upstream}:open`;

    expect((await request(a, { cmd: 'fail', n: 3 }, 5_000)).state).toBe('open');
    // c keeps calling a healthy upstream for several sync intervals: a alone is no quorum.
    const alone = await request(c, { cmd: 'watch', gapMs: GAP_MS, forMs: SYNC_MS * 4 }, 5_000);
    expect(alone.rejectedAt).toBeNull();
    expect(alone.calls).toBeGreaterThan(3);
    expect(await redis.client.exists(openKey)).toBe(0);

    // c and d watch while b, the second sick instance, makes the quorum.
    const watching = [c, d].map((child) => request(child, { cmd: 'watch', gapMs: GAP_MS, forMs: 5_000 }, 10_000));
    expect((await request(b, { cmd: 'fail', n: 3 }, 5_000)).state).toBe('open');
    const seen = await Promise.all(watching);

    const openUntil = Number(await redis.client.get(openKey));
    expect(openUntil).toBeGreaterThan(0);
    const openedAt = openUntil - BREAK_MS; // server time; the same machine's clock as the workers'
    const delays = seen.map((r) => r.rejectedAt! - openedAt);
    console.log(`shared opening seen by the other instances after ${delays.join(' ms and ')} ms (bound ${BOUND_MS} ms)`);
    for (const r of seen) {
      expect(r.rejectedAt).not.toBeNull();
      expect(r.state).toBe('open');
      expect(r.sharedErrors).toEqual([]);
    }
    for (const delay of delays) expect(delay).toBeLessThanOrEqual(BOUND_MS + SCHEDULING_SLACK_MS);
  }, 30_000);
});
