import { createFakeClock, isStoreUnavailableError } from '@bulwark/core';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  memoryRateLimitStore,
  rateLimiter,
  type LimitOptions,
  type RateLimiter,
  type RateLimitStore,
  type RateLimitStoreErrorEvent,
} from './index.js';

const START = Date.UTC(2026, 0, 1);

/** A store that forwards to a memory store, counts calls, and fails while `down` is set. */
function flakyStore(inner: RateLimitStore) {
  const state = { down: false, calls: 0 };
  const guard = <R>(run: () => R): Promise<R> => {
    state.calls++;
    return state.down ? Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6390'), { code: 'ECONNREFUSED' })) : Promise.resolve(run());
  };
  const store: RateLimitStore = {
    kind: 'redis',
    decide: (key, set, cost, take) => guard(() => inner.decide(key, set, cost, take)) as never,
    hold: (key, ms) => guard(() => inner.hold(key, ms)) as never,
    strike: (key, base, max) => guard(() => inner.strike(key, base, max)) as never,
    clearStrikes: (key) => guard(() => inner.clearStrikes(key)) as never,
    learn: (key, lesson) => guard(() => inner.learn(key, lesson)) as never,
  };
  return { store, state };
}

describe('store failure', () => {
  test('decides locally with fallbackShare of the limit, less its own units of the window, counts and reports each fallback, then resumes shared state', async () => {
    const clock = createFakeClock({ now: START });
    const { store, state } = flakyStore(memoryRateLimitStore({ clock }));
    const limiter = rateLimiter({ limits: { algorithm: 'fixed-window', limit: 20, windowMs: 1_000 }, store, clock, fallbackShare: 0.25 });
    const events: RateLimitStoreErrorEvent[] = [];
    limiter.onStoreError((e) => events.push(e));

    for (let i = 0; i < 2; i++) expect((await limiter.tryAcquire('k')).fallback).toBe(false);
    state.down = true;
    const local = [];
    for (let i = 0; i < 10; i++) local.push(await limiter.tryAcquire('k'));
    expect(local.filter((d) => d.allowed)).toHaveLength(3); // 25% of 20, less the 2 the store granted
    expect(local.every((d) => d.fallback)).toBe(true);
    // Once the local share is spent, calls are refused locally without asking the failing store.
    expect(limiter.fallbackDecisions).toBe(3);
    expect(events).toHaveLength(3);
    expect(events[0]).toMatchObject({ name: 'rateLimiter', key: 'k', operation: 'decide', fallbackDecisions: 1 });
    expect(isStoreUnavailableError(events[0]!.error)).toBe(true);
    expect(events[0]!.error.message).toBe('The store (RateLimitStore) could not decide: the call failed with Error ECONNREFUSED.');

    state.down = false;
    // The store never saw the 3 admitted locally: until their window ends, the local share still binds.
    expect(await limiter.tryAcquire('k')).toMatchObject({ allowed: false, fallback: true });
    clock.tick(1_000);
    // A new window: the shared count takes over again.
    const shared = [];
    for (let i = 0; i < 25; i++) shared.push(await limiter.tryAcquire('k'));
    expect(shared.filter((d) => d.allowed)).toHaveLength(20);
    expect(shared.some((d) => d.fallback)).toBe(false);
    expect(limiter.fallbackDecisions).toBe(3);
  });

  test('a learning limiter whose store fails learns and paces locally, at fallbackShare of the learned rate', async () => {
    const clock = createFakeClock({ now: START });
    const { store, state } = flakyStore(memoryRateLimitStore({ clock }));
    const limiter = rateLimiter({ learn: true, store, clock, fallbackShare: 0.5 });
    const operations: string[] = [];
    limiter.onStoreError((e) => operations.push(e.operation));
    state.down = true;
    expect(await limiter.tryAcquire('k')).toMatchObject({ allowed: true, fallback: true }); // a first contact, locally
    expect(await limiter.tryAcquire('k')).toMatchObject({ allowed: false, fallback: true });
    await limiter.observe('k', new Response(null, { headers: { 'RateLimit-Policy': '"default";q=5;w=1' } }));
    const times: number[] = [];
    for (let t = 0; t < 1_000; t += 10) {
      if ((await limiter.tryAcquire('k')).allowed) times.push(t);
      clock.tick(10);
    }
    expect(times).toEqual([0, 400, 800]); // 5 a second stated, half of it here
    expect(operations).toContain('learn');
  });

  test('a cost above the fallback share of the capacity takes the whole local bucket instead of never passing', async () => {
    const clock = createFakeClock({ now: START });
    const { store, state } = flakyStore(memoryRateLimitStore({ clock }));
    const limiter = rateLimiter({ limits: { limit: 4, windowMs: 1_000 }, store, clock, fallbackShare: 0.25 });
    state.down = true;
    expect(await limiter.tryAcquire('k', 3)).toMatchObject({ allowed: true, fallback: true });
    expect(await limiter.tryAcquire('k', 3)).toMatchObject({ allowed: false, retryAfterMs: 1_000, fallback: true });
  });

  test('acquire and observe never throw for a store failure', async () => {
    const clock = createFakeClock({ now: START });
    const { store, state } = flakyStore(memoryRateLimitStore({ clock }));
    const limiter = rateLimiter({ limits: { limit: 4, windowMs: 1_000 }, store, clock, fallbackShare: 0.5 });
    state.down = true;
    await expect(limiter.acquire('k')).resolves.toMatchObject({ allowed: true, fallback: true });
    const observed = await limiter.observe('k', new Response(null, { status: 429, headers: { 'Retry-After': '1' } }));
    expect(observed.holdMs).toBe(1_000);
    // The hold went to the local fallback, which now holds the key.
    expect(await limiter.tryAcquire('k')).toMatchObject({ allowed: false, retryAfterMs: 1_000, fallback: true });
  });
});

describe('lease (local batching)', () => {
  test('takes units from the store in leases, cutting store calls by the lease size', async () => {
    const clock = createFakeClock({ now: START });
    const { store, state } = flakyStore(memoryRateLimitStore({ clock }));
    const limiter = rateLimiter({ limits: { limit: 1_000, windowMs: 1_000 }, store, clock, lease: { size: 50 } });
    let allowed = 0;
    for (let i = 0; i < 500; i++) if ((await limiter.tryAcquire('k')).allowed) allowed++;
    expect(allowed).toBe(500);
    expect(state.calls).toBe(10);
  });

  test('a denied lease answers locally until the store said to come back', async () => {
    const clock = createFakeClock({ now: START });
    const { store, state } = flakyStore(memoryRateLimitStore({ clock }));
    const limiter = rateLimiter({ limits: { algorithm: 'fixed-window', limit: 10, windowMs: 1_000 }, store, clock, lease: { size: 10 } });
    expect(await limiter.tryAcquire('k')).toMatchObject({ allowed: true, remaining: 9 });
    for (let i = 0; i < 9; i++) await limiter.tryAcquire('k');
    const calls = state.calls;
    for (let i = 0; i < 5; i++) expect((await limiter.tryAcquire('k')).allowed).toBe(false);
    expect(state.calls - calls).toBe(1);
    clock.tick(1_000);
    expect((await limiter.tryAcquire('k')).allowed).toBe(true);
  });

  test('concurrent callers share one lease fetch', async () => {
    const clock = createFakeClock({ now: START });
    const { store, state } = flakyStore(memoryRateLimitStore({ clock }));
    const limiter = rateLimiter({ limits: { limit: 100, windowMs: 1_000 }, store, clock, lease: { size: 20 } });
    const decisions = await Promise.all(Array.from({ length: 20 }, () => limiter.tryAcquire('k')));
    expect(decisions.every((d) => d.allowed)).toBe(true);
    expect(state.calls).toBe(1);
  });

  test('an observed hold drops the local lease', async () => {
    const clock = createFakeClock({ now: START });
    const limiter = rateLimiter({ limits: { limit: 100, windowMs: 1_000 }, clock, lease: { size: 20 } });
    await limiter.tryAcquire('k');
    await limiter.observe('k', new Response(null, { status: 429, headers: { 'Retry-After': '1' } }));
    expect((await limiter.tryAcquire('k')).allowed).toBe(false);
  });

  test("a lease the store answers late is the store's decision, and lives ttlMs from when it was asked for", async () => {
    const clock = createFakeClock({ now: START });
    const inner = memoryRateLimitStore({ clock });
    let delayMs = 400;
    let calls = 0;
    // A store whose first answer takes 400 ms (a busy Redis, or a process starved of CPU).
    const store: RateLimitStore = {
      ...inner,
      kind: 'redis',
      decide: async (key, set, cost, take) => {
        calls++;
        const decision = await inner.decide(key, set, cost, take);
        await new Promise<void>((resolve) => clock.setTimeout(resolve, delayMs));
        return decision;
      },
    };
    const limiter = rateLimiter({ limits: { algorithm: 'fixed-window', limit: 100, windowMs: 1_000 }, store, clock, lease: { size: 10, ttlMs: 1_000 } });
    const first = limiter.tryAcquire('k');
    await clock.tickAsync(400);
    // Its first unit was taken when the store decided, not when the answer arrived.
    expect(await first).toMatchObject({ allowed: true, remaining: 9, decidedAt: START });
    delayMs = 0;
    await clock.tickAsync(599);
    expect(await limiter.tryAcquire('k')).toMatchObject({ allowed: true, remaining: 8, decidedAt: START + 999 });
    expect(calls).toBe(1);
    // ttlMs after the ask the lease is gone, though its answer came 400 ms later: its units are never
    // spent more than ttlMs after the store counted them.
    await clock.tickAsync(1);
    const third = limiter.tryAcquire('k');
    await clock.tickAsync(0);
    expect(await third).toMatchObject({ allowed: true, decidedAt: START + 1_000 });
    expect(calls).toBe(2);
  });

  test('property: over-admission per window is at most processes × (size − 1), the documented bound', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 60 })), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 8 }),
        async (steps, size) => {
          const clock = createFakeClock({ now: START });
          const store = memoryRateLimitStore({ clock });
          const limits = { algorithm: 'fixed-window' as const, limit: 10, windowMs: 1_000 };
          // Three "processes" sharing one store, each with its own lease.
          const processes = [0, 1, 2].map(() => rateLimiter({ limits, store, clock, lease: { size, ttlMs: 1_000 } }));
          const perWindow = new Map<number, number>();
          for (const [who, gap] of steps) {
            clock.tick(gap);
            if ((await processes[who]!.tryAcquire('k')).allowed) {
              const w = Math.floor(clock.now() / 1_000);
              perWindow.set(w, (perWindow.get(w) ?? 0) + 1);
            }
          }
          for (const count of perWindow.values()) expect(count).toBeLessThanOrEqual(10 + 3 * (size - 1));
        },
      ),
      { numRuns: 150 },
    );
  });
});

/** How many of `tries` calls `limiter` admits now. */
async function admitted(limiter: RateLimiter, tries: number): Promise<number> {
  let n = 0;
  for (let i = 0; i < tries; i++) if ((await limiter.tryAcquire('k')).allowed) n++;
  return n;
}

// The window in which the store fails, or comes back, must not admit the store's count plus every
// process's local share (up to twice the limit with fallbackShare = 1/processes).
describe('the window of a switch between the store and the local fallback', () => {
  const window: LimitOptions = { algorithm: 'fixed-window', limit: 10, windowMs: 1_000 };
  // Two limiters on one store stand for two processes.
  const twoProcesses = (limits: LimitOptions = window) => {
    const clock = createFakeClock({ now: START });
    const { store, state } = flakyStore(memoryRateLimitStore({ clock }));
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
