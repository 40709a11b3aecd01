import { createFakeClock, type FakeClock } from '@bulwark/core';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { memoryRateLimitStore, rateLimiter, type RateLimitChangeEvent, type RateLimiter, type RateLimiterOptions } from './index.js';

const START = Date.UTC(2026, 0, 1);

function setup(extra: Partial<RateLimiterOptions> = {}) {
  const clock = createFakeClock({ now: START });
  const store = memoryRateLimitStore({ clock });
  const options = { learn: true, store, clock, ...extra } as RateLimiterOptions;
  const limiter = rateLimiter(options);
  const changes: RateLimitChangeEvent[] = [];
  limiter.onLimitChange((e) => changes.push(e));
  return { clock, store, limiter, changes, other: rateLimiter(options) };
}

const respond = (status: number, headers: Record<string, string> = {}) => new Response(null, { status, headers });
const POLICY_5_PER_SECOND = { 'RateLimit-Policy': '"api";q=5;w=1' };

type Step = { gapMs: number; cost: number; status: number; headers: Record<string, string> };

/** For each step: waits its gap, asks for its cost, and when allowed observes its response. Returns the [time, cost] of each admission. */
async function drive(clock: FakeClock, limiter: RateLimiter, steps: readonly Step[]): Promise<Array<[number, number]>> {
  const admitted: Array<[number, number]> = [];
  for (const { gapMs, cost, status, headers } of steps) {
    clock.tick(gapMs);
    if ((await limiter.tryAcquire('api', cost)).allowed) {
      admitted.push([clock.now(), cost]);
      await limiter.observe('api', respond(status, headers));
    }
  }
  return admitted;
}

/** Calls `tryAcquire` every `stepMs` for `durationMs` and returns the times it was allowed. */
async function admittedTimes(clock: FakeClock, limiter: RateLimiter, durationMs: number, stepMs = 1): Promise<number[]> {
  const times: number[] = [];
  for (let t = 0; t < durationMs; t += stepMs) {
    if ((await limiter.tryAcquire('api')).allowed) times.push(clock.now() - START);
    clock.tick(stepMs);
  }
  return times;
}

describe('learn: first contact', () => {
  test('the first call on an unknown key goes alone; its response ends the wait at once', async () => {
    const { limiter, other } = setup();
    expect(await limiter.tryAcquire('api')).toMatchObject({ allowed: true, remaining: Infinity });
    expect(await other.tryAcquire('api')).toMatchObject({ allowed: false, retryAfterMs: 1_000, remaining: -1 });
    expect((await other.tryAcquire('elsewhere')).allowed).toBe(true);
    await limiter.observe('api', respond(200));
    // The server stated no limit: nothing limits the key.
    for (let i = 0; i < 100; i++) expect((await other.tryAcquire('api')).allowed).toBe(true);
  });

  test('a first contact whose response never comes holds the others for firstResponseTimeoutMs, then the next call goes', async () => {
    const { clock, limiter } = setup({ learn: { firstResponseTimeoutMs: 300 } });
    expect((await limiter.tryAcquire('api')).allowed).toBe(true);
    clock.tick(299);
    expect(await limiter.tryAcquire('api')).toMatchObject({ allowed: false, retryAfterMs: 1 });
    clock.tick(1);
    expect((await limiter.tryAcquire('api')).allowed).toBe(true);
    expect((await limiter.tryAcquire('api')).allowed).toBe(false);
  });

  test('waiters queued behind a first contact are let through when its response is observed', async () => {
    const { clock, limiter } = setup();
    await limiter.acquire('api');
    const order: number[] = [];
    const waiting = [1, 2, 3].map((i) => limiter.acquire('api').then(() => order.push(i)));
    await clock.tickAsync(10);
    expect(order).toEqual([]);
    await limiter.observe('api', respond(200, POLICY_5_PER_SECOND));
    await clock.tickAsync(0);
    expect(order).toEqual([1]);
    await clock.tickAsync(200);
    expect(order).toEqual([1, 2]);
    await clock.tickAsync(200);
    await Promise.all(waiting);
    expect(order).toEqual([1, 2, 3]);
  });

  test('a limit stated with no window (X-RateLimit-Limit alone) keeps the calls one at a time, until the server states a rate or that many were answered', async () => {
    const LIMIT_ONLY = { 'X-RateLimit-Limit': '3' };
    const { clock, limiter, other } = setup();
    // Two answers that state the limit alone: after each, one call at a time still, in every limiter on the store.
    for (let i = 0; i < 2; i++) {
      expect((await limiter.tryAcquire('api')).allowed).toBe(true);
      expect(await other.tryAcquire('api')).toMatchObject({ allowed: false, remaining: -1 });
      await limiter.observe('api', respond(200, LIMIT_ONLY));
    }
    // The refusal that states the window (a legacy exhausted quota and its reset) sets the pace at once.
    expect((await other.tryAcquire('api')).allowed).toBe(true);
    expect((await limiter.tryAcquire('api')).allowed).toBe(false);
    const reset = String(Math.floor((clock.now() + 1_000) / 1_000));
    await other.observe('api', respond(429, { 'X-RateLimit-Limit': '3', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': reset }));
    clock.tick(1_000);
    const times = await admittedTimes(clock, limiter, 2_000);
    expect(times.length).toBeGreaterThanOrEqual(5);
    expect(times.length).toBeLessThanOrEqual(7);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(333);

    // Another key whose server keeps stating the limit alone and never refuses: after 3 answers, no limit.
    for (let i = 0; i < 3; i++) {
      expect((await limiter.tryAcquire('free')).allowed).toBe(true);
      expect((await other.tryAcquire('free')).allowed).toBe(false);
      await limiter.observe('free', respond(200, LIMIT_ONLY));
    }
    for (let i = 0; i < 50; i++) expect((await other.tryAcquire('free')).allowed).toBe(true);
  });
});

describe('learn: stated rates', () => {
  test('RateLimit-Policy sets the pace: one unit per w / q, evenly', async () => {
    const { clock, limiter, changes } = setup();
    await limiter.tryAcquire('api');
    await limiter.observe('api', respond(200, POLICY_5_PER_SECOND));
    expect(changes).toEqual([{ name: 'rateLimiter', key: 'api', ratePerSecond: 5, intervalMs: 200, reason: 'policy' }]);
    expect(await admittedTimes(clock, limiter, 1_000)).toEqual([0, 200, 400, 600, 800]);
  });

  test('the pace keeps its schedule through half an interval of lateness, and starts afresh after a pause', async () => {
    const { clock, limiter } = setup();
    await limiter.tryAcquire('api');
    await limiter.observe('api', respond(200, POLICY_5_PER_SECOND));
    const at = async (ms: number) => {
      clock.tick(START + ms - clock.now());
      return (await limiter.tryAcquire('api')).allowed;
    };
    expect(await at(0)).toBe(true); // next at 200
    expect(await at(290)).toBe(true); // 90 ms late: next still at 400
    expect(await at(399)).toBe(false);
    expect(await at(400)).toBe(true); // next at 600
    expect(await at(750)).toBe(true); // 150 ms late, more than half an interval: next at 950
    expect(await at(949)).toBe(false);
    expect(await at(950)).toBe(true);
    expect(await at(5_000)).toBe(true); // after a pause: next at 5_200, no burst
    expect(await at(5_199)).toBe(false);
  });

  test('the lower of the configured and the learned limit wins', async () => {
    const fast = setup({ limits: { limit: 10, windowMs: 1_000 } });
    await fast.limiter.tryAcquire('api');
    await fast.limiter.observe('api', respond(200, POLICY_5_PER_SECOND));
    expect(await admittedTimes(fast.clock, fast.limiter, 2_000)).toHaveLength(10);

    const slow = setup({ limits: { limit: 2, windowMs: 1_000, burst: 1 } });
    await slow.limiter.tryAcquire('api');
    await slow.limiter.observe('api', respond(200, POLICY_5_PER_SECOND));
    slow.clock.tick(500);
    expect(await admittedTimes(slow.clock, slow.limiter, 2_000)).toEqual([500, 1_000, 1_500, 2_000]);
  });

  test("the server's remaining count takes effect at once: what is left, spread over the time left", async () => {
    const { clock, limiter, changes } = setup({ limits: { limit: 100, windowMs: 1_000 } });
    await limiter.tryAcquire('api');
    await limiter.observe('api', respond(200, { RateLimit: '"api";r=4;t=10', 'RateLimit-Policy': '"api";q=100;w=60' }));
    expect(changes.at(-1)).toMatchObject({ intervalMs: 2_500, reason: 'quota' });
    expect(await admittedTimes(clock, limiter, 10_000, 10)).toEqual([0, 2_500, 5_000, 7_500]);
  });

  test('legacy X-RateLimit-* : a quota with units left paces them; an exhausted one holds to its reset and paces the limit after', async () => {
    const { clock, limiter, changes } = setup();
    await limiter.tryAcquire('gh');
    const reset = String(Math.floor(START / 1000) + 60);
    await limiter.observe('gh', respond(200, { 'X-RateLimit-Limit': '60', 'X-RateLimit-Remaining': '30', 'X-RateLimit-Reset': reset }));
    expect(changes.at(-1)).toMatchObject({ intervalMs: 2_000, reason: 'quota' });
    // Exhausted, reset in 1.5 s (read to whole seconds: a window of 2 s): 5 per 2 s after the hold.
    clock.tick(2_000);
    await limiter.tryAcquire('gh');
    const result = await limiter.observe('gh', respond(429, { 'X-RateLimit-Limit': '5', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset-After': '1.5' }));
    expect(result.holdMs).toBe(1_500);
    expect(changes.at(-1)).toMatchObject({ ratePerSecond: 2.5, intervalMs: 400, reason: 'policy' });
  });

  test('a hold ends in paced units, not a burst: waiters leave one interval apart', async () => {
    const { clock, limiter } = setup({ limits: { limit: 100, windowMs: 1_000 } });
    await limiter.tryAcquire('api');
    await limiter.observe('api', respond(429, { 'Retry-After': '2', ...POLICY_5_PER_SECOND, RateLimit: '"api";r=0;t=2' }));
    const released: number[] = [];
    const waiting = Array.from({ length: 5 }, () => limiter.acquire('api').then(() => released.push(clock.now() - START)));
    await clock.tickAsync(3_000);
    await Promise.all(waiting);
    expect(released).toEqual([2_000, 2_200, 2_400, 2_600, 2_800]);
  });

  test('learned state expires when the server stops saying things: the next call is a first contact again', async () => {
    const { clock, limiter, changes } = setup({ learn: { ttlMs: 10_000 } });
    await limiter.tryAcquire('api');
    await limiter.observe('api', respond(200, POLICY_5_PER_SECOND));
    clock.tick(5_000);
    await limiter.tryAcquire('api');
    await limiter.observe('api', respond(200)); // says nothing: refreshes nothing
    clock.tick(5_000);
    expect(await limiter.tryAcquire('api')).toMatchObject({ allowed: true, remaining: Infinity });
    expect(changes.map((c) => [c.reason, c.ratePerSecond])).toEqual([
      ['policy', 5],
      ['expired', undefined],
    ]);
    expect((await limiter.tryAcquire('api')).allowed).toBe(false); // the first contact's response is awaited
  });

  test('a stated rate is refreshed by each response that states it (without a store write each time)', async () => {
    const { clock, limiter } = setup({ learn: { ttlMs: 10_000 } });
    await limiter.tryAcquire('api');
    for (let i = 0; i < 30; i++) {
      await limiter.observe('api', respond(200, POLICY_5_PER_SECOND));
      clock.tick(1_000);
    }
    expect(await limiter.tryAcquire('api')).toMatchObject({ allowed: true, remaining: 0 });
  });
});

describe('learn: refusals that state no rate (AIMD)', () => {
  test('the first sets the rate the server took, then slow start doubles it each second', async () => {
    const { clock, limiter, changes } = setup();
    await limiter.tryAcquire('api');
    await limiter.observe('api', respond(200));
    // 9 units in 500 ms, then a 429 asking for 1 s: 9 units per 1.5 s.
    for (let i = 0; i < 9; i++) {
      expect((await limiter.tryAcquire('api')).allowed).toBe(true);
      clock.tick(500 / 9);
    }
    await limiter.observe('api', respond(429, { 'Retry-After': '1' }));
    expect(changes.at(-1)).toMatchObject({ intervalMs: expect.closeTo(1500 / 9, 6), reason: 'refusal' });
    clock.tick(1_000 - (9 * 500) / 9 + 500);
    // The hold has ended; a second later the rate has doubled.
    const first = await admittedTimes(clock, limiter, 1_000, 1);
    const second = await admittedTimes(clock, limiter, 1_000, 1);
    expect(first.length).toBeGreaterThanOrEqual(6);
    expect(first.length).toBeLessThanOrEqual(9);
    expect(second.length).toBeGreaterThanOrEqual(first.length + 3);
  });

  test('the refusal that ends a slow start halves the rate it had reached', async () => {
    const { clock, limiter, changes } = setup();
    await limiter.tryAcquire('api');
    await limiter.observe('api', respond(429, { 'Retry-After': '1' })); // from nothing: one unit per hold
    expect(changes.at(-1)).toMatchObject({ intervalMs: 1_000, reason: 'refusal' });
    clock.tick(1_000 + 2_000); // two doublings after the hold: 4 a second
    await limiter.observe('api', respond(429, { 'Retry-After': '1' }));
    expect(changes.at(-1)).toMatchObject({ intervalMs: 500, reason: 'refusal' });
  });

  test('a later refusal multiplies the rate by 0.7, once per overload; then it grows by 2% a second', async () => {
    const { clock, limiter, changes } = setup({ learn: { ttlMs: 600_000 } });
    await limiter.tryAcquire('api');
    await limiter.observe('api', respond(200, POLICY_5_PER_SECOND));
    await limiter.observe('api', respond(429, { 'Retry-After': '1' }));
    expect(changes.at(-1)).toMatchObject({ intervalMs: 200 / 0.7, reason: 'refusal' });
    // More refusals during its hold are the same overload.
    await limiter.observe('api', respond(429, { 'Retry-After': '1' }));
    await limiter.observe('api', respond(429));
    expect(changes).toHaveLength(2);
    clock.tick(1_000 + 50_000); // 50 s after the hold: 2% a second, additively, is twice the rate
    await limiter.observe('api', respond(429, { 'Retry-After': '1' }));
    expect(changes.at(-1)!.intervalMs).toBeCloseTo(200 / 0.7 / 2 / 0.7, 6);
  });

  test('a refused probe that is still slower than the stated rate goes on; once faster, the statement wins', async () => {
    const { clock, limiter, changes } = setup({ learn: { ttlMs: 600_000 } });
    await limiter.tryAcquire('api');
    await limiter.observe('api', respond(200, POLICY_5_PER_SECOND));
    await limiter.observe('api', respond(429, { 'Retry-After': '1' }));
    clock.tick(2_000);
    await limiter.observe('api', respond(200, POLICY_5_PER_SECOND));
    expect(changes.at(-1)).toMatchObject({ intervalMs: 200 / 0.7, reason: 'refusal' });
    clock.tick(30_000); // 2% a second for 31 s: faster than the stated 5/s
    await limiter.observe('api', respond(200, POLICY_5_PER_SECOND));
    expect(changes.at(-1)).toMatchObject({ intervalMs: 200, reason: 'policy' });
  });

  test('a bare 429 also backs off exponentially, and the rate follows AIMD', async () => {
    const { limiter } = setup({ backoff: { initialDelayMs: 100, maxDelayMs: 400 } });
    await limiter.tryAcquire('api');
    const holds: number[] = [];
    for (let i = 0; i < 4; i++) holds.push((await limiter.observe('api', respond(429))).holdMs);
    expect(holds).toEqual([100, 200, 400, 400]);
    await limiter.observe('api', respond(200));
    expect((await limiter.observe('api', respond(503))).holdMs).toBe(100);
  });
});

describe('learn: options', () => {
  test('limits are optional with learn, and learn does not go with lease', () => {
    expect(() => rateLimiter({})).toThrow('Expected `limits` to be at least one limit (or `learn: true`, to follow the server alone), got undefined.');
    expect(() => rateLimiter({ learn: false })).toThrow('Expected `limits` to be at least one limit');
    expect(() => rateLimiter({ learn: true, lease: { size: 10 } })).toThrow('Expected `lease` to be undefined with `learn`');
    expect(() => rateLimiter({ learn: { ttlMs: 0 } })).toThrow('Expected `learn.ttlMs` to be an integer from 1 to');
    expect(() => rateLimiter({ learn: { firstResponseTimeoutMs: 1.5 } })).toThrow('Expected `learn.firstResponseTimeoutMs` to be an integer');
    expect(() => rateLimiter({ learn: 'yes' as never })).toThrow('Expected `learn` to be a boolean or an options object');
    expect(() => rateLimiter({ learn: { ttl: 5 } as never })).toThrow('Unknown option `learn.ttl` of rateLimiter(); did you mean `learn.ttlMs`?');
  });

  test('a learning limiter without limits takes any cost', async () => {
    const { limiter } = setup();
    expect((await limiter.tryAcquire('api', 1_000_000)).allowed).toBe(true);
    await expect(limiter.tryAcquire('api', 0)).rejects.toThrow('Expected `cost` to be a positive integer, got 0.');
  });
});

describe('learn: properties on fake time', () => {
  // Every header set here states a rate; the fastest is 20 per second (one unit per 50 ms).
  const stated = fc.constantFrom<Record<string, string>>(
    POLICY_5_PER_SECOND,
    { 'RateLimit-Policy': '"a";q=10;w=1, "b";q=100;w=60' },
    { RateLimit: '"a";r=3;t=2' },
    { RateLimit: '"a";r=0;t=1', 'RateLimit-Policy': '"a";q=20;w=1' },
    { 'X-RateLimit-Remaining': '7', 'X-RateLimit-Reset': '3', 'X-RateLimit-Limit': '10' },
    { 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '1', 'X-RateLimit-Limit': '20' },
    {},
  );
  const anything = fc.oneof(stated, fc.constantFrom<Record<string, string>>({ 'Retry-After': '1' }, { 'Retry-After': 'soon' }, { RateLimit: '"a";r=0' }));
  const step = (headers: fc.Arbitrary<Record<string, string>>, statuses: number[]) =>
    fc.record({
      gapMs: fc.oneof(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 3_000 })),
      cost: fc.integer({ min: 1, max: 3 }),
      status: fc.constantFrom(...statuses),
      headers,
    });

  test('property: against stated rates, units never go faster than the fastest one stated, over any span (half an interval of schedule kept)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step(stated, [200, 200, 429]), { minLength: 1, maxLength: 60 }), async (steps) => {
        const { clock, limiter } = setup({ learn: { ttlMs: 600_000 } });
        // The first call is the first contact, before anything is learned.
        expect((await limiter.tryAcquire('api')).allowed).toBe(true);
        await limiter.observe('api', respond(200, POLICY_5_PER_SECOND));
        const admitted = await drive(clock, limiter, steps);
        // Each paced unit moves the next one an interval on, less the half interval of lateness the
        // pace forgives: before the j-th admission, the units since the i-th took their intervals.
        for (let i = 0; i < admitted.length; i++) {
          let units = 0;
          for (let j = i + 1; j < admitted.length; j++) {
            units += admitted[j - 1]![1];
            expect(admitted[j]![0] - admitted[i]![0]).toBeGreaterThanOrEqual(units * 50 - 25 - 1e-6);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  test('property: whatever the responses, observe never throws, holds are obeyed, and every learned rate is finite and positive', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step(anything, [200, 403, 429, 503]), { minLength: 1, maxLength: 60 }), async (steps) => {
        const { clock, limiter, changes } = setup({ learn: { ttlMs: 5_000, firstResponseTimeoutMs: 500 } });
        for (const { gapMs, cost, status, headers } of steps) {
          clock.tick(gapMs);
          if (!(await limiter.tryAcquire('api', cost)).allowed) continue;
          const { holdMs } = await limiter.observe('api', respond(status, headers));
          if (holdMs > 0) {
            expect(await limiter.tryAcquire('api')).toMatchObject({ allowed: false, remaining: -1 });
            clock.tick(holdMs - 1);
            expect((await limiter.tryAcquire('api')).allowed).toBe(false);
          }
        }
        for (const c of changes) {
          if (c.reason === 'expired') {
            expect([c.ratePerSecond, c.intervalMs]).toEqual([undefined, undefined]);
            continue;
          }
          expect(Number.isFinite(c.ratePerSecond) && c.ratePerSecond! > 0).toBe(true);
          expect(c.intervalMs! * c.ratePerSecond!).toBeCloseTo(1_000, 6);
        }
      }),
      { numRuns: 150 },
    );
  });

  test('property: after a refusal that states no rate, the rate is at most 0.7 of the rate in force before it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ gapMs: fc.integer({ min: 0, max: 5_000 }), refused: fc.boolean(), policy: fc.integer({ min: 1, max: 50 }) }), {
          minLength: 1,
          maxLength: 30,
        }),
        async (steps) => {
          const { clock, limiter, changes } = setup({ learn: { ttlMs: 600_000 } });
          await limiter.tryAcquire('api');
          await limiter.observe('api', respond(200, { 'RateLimit-Policy': `"p";q=${steps[0]!.policy};w=1` }));
          for (const { gapMs, refused, policy } of steps) {
            clock.tick(gapMs);
            const before = changes.at(-1)!;
            const count = changes.length;
            if (refused) {
              await limiter.observe('api', respond(429, { 'Retry-After': '1' }));
              if (changes.length > count) {
                const after = changes.at(-1)!;
                expect(after.reason).toBe('refusal');
                // At most 0.7 of the rate in force, which probing may have raised by 2% a second since it was reported.
                expect(after.ratePerSecond!).toBeLessThanOrEqual(before.ratePerSecond! * 0.7 * (1 + 0.02 * (clock.now() - START) / 1_000) + 1e-9);
              }
            } else {
              await limiter.observe('api', respond(200, { 'RateLimit-Policy': `"p";q=${policy};w=1` }));
              const after = changes.at(-1)!;
              // A statement never makes the rate faster than it states.
              if (changes.length > count) expect(after.ratePerSecond!).toBeLessThanOrEqual(policy + 1e-9);
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  test('property: with a configured limit, learning only ever lowers it (GCRA bound over any span)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step(anything, [200, 429, 503]), { minLength: 1, maxLength: 60 }), async (steps) => {
        const { clock, limiter } = setup({ limits: { limit: 10, windowMs: 1_000, burst: 3 } });
        const admitted = await drive(clock, limiter, steps);
        for (let i = 0; i < admitted.length; i++) {
          let units = 0;
          for (let j = i; j < admitted.length; j++) {
            units += admitted[j]![1];
            expect(units).toBeLessThanOrEqual(3 + ((admitted[j]![0] - admitted[i]![0]) * 10) / 1_000 + 1e-9);
          }
        }
      }),
      { numRuns: 100 },
    );
  });
});
