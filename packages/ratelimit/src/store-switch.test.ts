import { createFakeClock } from '@bulwark/core';
import { describeRedis, usePrivateRedis } from '@bulwark/test-utils';
import { describe, expect, test } from 'vitest';
import { memoryStore, rateLimiter, redisStore, type LimitOptions, type RateLimiter, type RateLimitStore } from './index.js';

// The window in which the store fails, or comes back, must not admit the store's count plus every
// process's local share (up to twice the limit with fallbackShare = 1/processes). Two limiters on
// one store stand for two processes.

const START = Date.UTC(2026, 0, 1);

/** One shared store, made to fail while `down` is set. */
function sharedFlakyStore() {
  const clock = createFakeClock({ now: START });
  const inner = memoryStore({ clock });
  const state = { down: false };
  const guard = <R>(run: () => R): Promise<R> => (state.down ? Promise.reject(new Error('ECONNREFUSED')) : Promise.resolve(run()));
  const store: RateLimitStore = {
    kind: 'redis',
    decide: (key, set, cost, take) => guard(() => inner.decide(key, set, cost, take)) as never,
    hold: (key, ms) => guard(() => inner.hold(key, ms)) as never,
    strike: (key, base, max) => guard(() => inner.strike(key, base, max)) as never,
    clearStrikes: (key) => guard(() => inner.clearStrikes(key)) as never,
  };
  return { clock, store, state };
}

/** How many of `tries` calls `limiter` admits now. */
async function admitted(limiter: RateLimiter, tries: number): Promise<number> {
  let n = 0;
  for (let i = 0; i < tries; i++) if ((await limiter.tryAcquire('k')).allowed) n++;
  return n;
}

describe('the window of a switch between the store and the local fallback', () => {
  const window: LimitOptions = { algorithm: 'fixed-window', limit: 10, windowMs: 1_000 };
  const twoProcesses = (limits: LimitOptions = window) => {
    const { clock, store, state } = sharedFlakyStore();
    const make = () => rateLimiter({ limits, store, clock, fallbackShare: 0.5 });
    return { clock, state, a: make(), b: make() };
  };

  test('when the store fails, each process admits locally only what is left of its share: the limit holds', async () => {
    const { state, a, b } = twoProcesses();
    expect((await admitted(a, 3)) + (await admitted(b, 3))).toBe(6);
    state.down = true;
    // Each has 5 (half of 10) less the 3 the store granted it.
    expect([await admitted(a, 10), await admitted(b, 10)]).toEqual([2, 2]);
  });

  test('a process that took its share or more from the store admits nothing locally in that window', async () => {
    const { clock, state, a, b } = twoProcesses();
    expect((await admitted(a, 8)) + (await admitted(b, 2))).toBe(10);
    state.down = true;
    // The documented bound for the most uneven load: (2 - fallbackShare) × limit = 15.
    expect([await admitted(a, 10), await admitted(b, 10)]).toEqual([0, 3]);
    clock.tick(1_000);
    // The next window, still down: each has its share.
    expect([await admitted(a, 10), await admitted(b, 10)]).toEqual([5, 5]);
  });

  test('when the store comes back, units admitted locally still count to the end of their window', async () => {
    const { clock, state, a, b } = twoProcesses();
    state.down = true;
    expect([await admitted(a, 10), await admitted(b, 10)]).toEqual([5, 5]);
    state.down = false;
    // The store never saw those 10 units: it would admit 10 more.
    expect([await admitted(a, 10), await admitted(b, 10)]).toEqual([0, 0]);
    clock.tick(1_000);
    // A new window: the shared count decides again, and one process may take more than its share.
    expect(await admitted(a, 12)).toBe(10);
    expect(await admitted(b, 1)).toBe(0);
  });

  test('a process that admitted nothing locally goes straight back to the shared count', async () => {
    const { state, a, b } = twoProcesses();
    expect(await admitted(a, 6)).toBe(6);
    state.down = true;
    expect(await admitted(a, 3)).toBe(0);
    state.down = false;
    expect((await admitted(a, 10)) + (await admitted(b, 10))).toBe(4);
  });

  test('gcra: after a failure, the units a process took through the store drain at its share of the rate first', async () => {
    const { clock, state, a } = twoProcesses({ limit: 10, windowMs: 1_000 });
    expect(await admitted(a, 10)).toBe(10);
    state.down = true;
    expect(await admitted(a, 5)).toBe(0);
    // Half of 10 per second, one unit per 200 ms: its 10 units drain from a bucket of 5 in 1.2 s.
    clock.tick(1_000);
    expect(await admitted(a, 5)).toBe(0);
    clock.tick(200);
    expect(await admitted(a, 5)).toBe(1);
  });
});

describeRedis('a real Redis frozen and thawed under two limiters', () => {
  const redis = usePrivateRedis();

  test('the window of the failure and of the return admits at most the limit', async () => {
    // A window of 100 years: no window boundary falls inside the test.
    const make = () =>
      rateLimiter({
        limits: { algorithm: 'fixed-window', limit: 10, windowMs: 3_155_760_000_000 },
        store: redisStore({ client: redis.client, timeoutMs: 100 }),
        fallbackShare: 0.5,
      });
    const a = make();
    const b = make();
    let total = (await admitted(a, 3)) + (await admitted(b, 3));
    expect(total).toBe(6);
    const pid = redis.server.pid!;
    // Frozen, as an overloaded or partitioned server is: calls time out, and its counts are kept.
    process.kill(pid, 'SIGSTOP');
    try {
      const local = [await admitted(a, 10), await admitted(b, 10)];
      expect(local).toEqual([2, 2]);
      expect(a.fallbackDecisions).toBeGreaterThan(0);
      total += local[0]! + local[1]!;
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    expect(await redis.client.ping()).toBe('PONG');
    total += (await admitted(a, 10)) + (await admitted(b, 10));
    expect(total).toBe(10);
  });
});
