import { createFakeClock, isBulwarkError, pipeline, timeout } from '@bulwark/core';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  isRateLimitedError,
  memoryRateLimitStore,
  rateLimiter,
  type LimitOptions,
  type RateLimitDecision,
  type RateLimiter,
  type RateLimitStore,
} from './index.js';

const START = Date.UTC(2026, 0, 1); // aligned to every window used below

function setup(limits: LimitOptions | LimitOptions[], extra: Partial<Parameters<typeof rateLimiter>[0]> = {}) {
  const clock = createFakeClock({ now: START });
  const limiter = rateLimiter({ limits, clock, ...extra });
  return { clock, limiter };
}

async function drain(limiter: RateLimiter, key: string, max = 10_000, cost = 1): Promise<number> {
  let n = 0;
  while (n < max && (await limiter.tryAcquire(key, cost)).allowed) n++;
  return n;
}

describe('gcra', () => {
  test('allows the burst at once, then one unit per interval', async () => {
    const { clock, limiter } = setup({ limit: 10, windowMs: 1_000, burst: 3 });
    expect(await drain(limiter, 'k')).toBe(3);
    const denied = await limiter.tryAcquire('k');
    expect(denied).toMatchObject({ allowed: false, retryAfterMs: 100, fallback: false });
    clock.tick(99);
    expect((await limiter.tryAcquire('k')).allowed).toBe(false);
    clock.tick(1);
    expect(await limiter.tryAcquire('k')).toMatchObject({ allowed: true, remaining: 0 });
  });

  test('keys are independent', async () => {
    const { limiter } = setup({ limit: 2, windowMs: 1_000 });
    expect(await drain(limiter, 'a')).toBe(2);
    expect(await drain(limiter, 'b')).toBe(2);
  });

  test('weighted cost takes several units, and retryAfterMs covers the whole cost', async () => {
    const { clock, limiter } = setup({ limit: 10, windowMs: 1_000 });
    expect((await limiter.tryAcquire('k', 8)).remaining).toBe(2);
    const denied = await limiter.tryAcquire('k', 5);
    expect(denied).toMatchObject({ allowed: false, retryAfterMs: 300 });
    clock.tick(300);
    expect((await limiter.tryAcquire('k', 5)).allowed).toBe(true);
  });

  test('a cost above the smallest capacity is refused at once, since it could never pass', async () => {
    const { limiter } = setup({ limit: 10, windowMs: 1_000, burst: 4 });
    await expect(limiter.tryAcquire('k', 5)).rejects.toThrow("Expected `cost` to be an integer from 1 to 4 (the smallest limit's capacity");
    await expect(limiter.tryAcquire('k', 0)).rejects.toThrow("Expected `cost` to be an integer from 1 to 4 (the smallest limit's capacity; a larger cost could never be allowed), got 0.");
  });

  test('tryAcquire given acquire\'s `{ cost }` says it takes the cost itself', async () => {
    const { limiter } = setup({ limit: 10, windowMs: 1_000, burst: 4 });
    await expect(limiter.tryAcquire('k', { cost: 2 } as never)).rejects.toThrow(
      new TypeError('Expected `cost` to be a number: `tryAcquire(key, cost)` takes the cost itself, where `acquire(key, { cost })` takes options, got an object (Object).'),
    );
  });

  test('property: over any interval, admitted units never exceed burst + interval × rate', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 1, max: 3 })), { minLength: 1, maxLength: 60 }),
        async (steps) => {
          const { clock, limiter } = setup({ limit: 10, windowMs: 1_000, burst: 3 });
          const admitted: Array<[number, number]> = [];
          for (const [gap, cost] of steps) {
            clock.tick(gap);
            if ((await limiter.tryAcquire('k', cost)).allowed) admitted.push([clock.now(), cost]);
          }
          for (let i = 0; i < admitted.length; i++) {
            let units = 0;
            for (let j = i; j < admitted.length; j++) {
              units += admitted[j]![1];
              const span = admitted[j]![0] - admitted[i]![0];
              expect(units).toBeLessThanOrEqual(3 + (span * 10) / 1_000 + 1e-9);
            }
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('fixed window', () => {
  test('counts per aligned window and resets at its end', async () => {
    const { clock, limiter } = setup({ algorithm: 'fixed-window', limit: 5, windowMs: 1_000 });
    clock.tick(400);
    expect(await drain(limiter, 'k')).toBe(5);
    expect((await limiter.tryAcquire('k')).retryAfterMs).toBe(600);
    clock.tick(600);
    expect(await drain(limiter, 'k')).toBe(5);
  });
});

describe('sliding window', () => {
  test('weights the previous window by its overlap', async () => {
    const { clock, limiter } = setup({ algorithm: 'sliding-window', limit: 10, windowMs: 1_000 });
    expect(await drain(limiter, 'k')).toBe(10);
    clock.tick(1_000); // previous = 10, 0% elapsed: estimate 10
    expect((await limiter.tryAcquire('k')).allowed).toBe(false);
    clock.tick(300); // estimate 10 × 0.7 = 7
    expect(await drain(limiter, 'k')).toBe(3);
    const denied = await limiter.tryAcquire('k');
    // 10 × (1 − f) + 3 + 1 ≤ 10 once f ≥ 0.4, that is 100 ms from now.
    expect(denied).toMatchObject({ allowed: false, retryAfterMs: 100 });
    clock.tick(100);
    expect((await limiter.tryAcquire('k')).allowed).toBe(true);
  });

  test('property: each aligned window admits at most the limit, and a waiter told retryAfterMs is then allowed', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 80 }), async (gaps) => {
        const { clock, limiter } = setup({ algorithm: 'sliding-window', limit: 5, windowMs: 1_000 });
        const perWindow = new Map<number, number>();
        for (const gap of gaps) {
          clock.tick(gap);
          const d = await limiter.tryAcquire('k');
          if (d.allowed) {
            const w = Math.floor(clock.now() / 1_000);
            perWindow.set(w, (perWindow.get(w) ?? 0) + 1);
          } else {
            clock.tick(d.retryAfterMs);
            expect((await limiter.tryAcquire('k')).allowed).toBe(true);
            const w = Math.floor(clock.now() / 1_000);
            perWindow.set(w, (perWindow.get(w) ?? 0) + 1);
          }
        }
        for (const count of perWindow.values()) expect(count).toBeLessThanOrEqual(5);
      }),
      { numRuns: 100 },
    );
  });
});

describe('several limits on one key', () => {
  test('"100 per second, burst 20" and "1,000 per day" are enforced together, all or nothing', async () => {
    const { clock, limiter } = setup([
      { limit: 100, windowMs: 1_000, burst: 20 },
      { algorithm: 'fixed-window', limit: 50, windowMs: 86_400_000 },
    ]);
    expect(await drain(limiter, 'k')).toBe(20);
    clock.tick(1_000);
    expect(await drain(limiter, 'k')).toBe(20);
    clock.tick(1_000);
    expect(await drain(limiter, 'k')).toBe(10); // the daily limit binds now
    const denied = await limiter.tryAcquire('k');
    expect(denied.allowed).toBe(false);
    expect(denied.retryAfterMs).toBe(86_400_000 - 2_000);
    // A denied call took nothing from the per-second limit either.
    clock.tick(86_400_000 - 2_000);
    expect(await drain(limiter, 'k')).toBe(20);
  });

  test('rejects duplicate limits and bad options, naming the field', () => {
    expect(() => rateLimiter({ limits: [] })).toThrow('Expected `limits` to be at least one limit');
    expect(() => rateLimiter({ limits: [{ limit: 1, windowMs: 10 }, { limit: 1, windowMs: 10 }] })).toThrow('distinct');
    expect(() => rateLimiter({ limits: { limit: 0, windowMs: 10 } })).toThrow('Expected `limits.limit` to be a positive integer, got 0.');
    expect(() => rateLimiter({ limits: [{ limit: 1, windowMs: 1.5 }] })).toThrow(
      'Expected `limits[0].windowMs` to be an integer from 1 to 3_155_760_000_000 (100 years, the longest duration the Redis store keeps exactly), got 1.5.',
    );
    expect(() => rateLimiter({ limits: { algorithm: 'sliding-window', limit: 2 ** 25, windowMs: 1_000 } })).toThrow(
      'Expected `limits.limit` to be an integer from 1 to 33_554_431 (for a sliding-window limit; use gcra for more per window), got 33554432.',
    );
    expect(() => rateLimiter({ limits: { algorithm: 'fixed-window', limit: 2 ** 51, windowMs: 1_000 } })).toThrow('for a fixed-window limit');
    expect(rateLimiter({ limits: { algorithm: 'sliding-window', limit: 2 ** 25 - 1, windowMs: 1_000 } }).name).toBe('rateLimiter');
    const many = Array.from({ length: 33 }, (_, i) => ({ limit: 1, windowMs: i + 1 }));
    expect(() => rateLimiter({ limits: many })).toThrow('Expected `limits` to be an array of at most 32 limits, got an array of length 33.');
    expect(rateLimiter({ limits: many.slice(0, 32) }).name).toBe('rateLimiter');
    expect(() => rateLimiter({ limits: { algorithm: 'fixed-window', limit: 1, windowMs: 10, burst: 2 } })).toThrow('limits.burst');
    expect(() => rateLimiter({ limits: { algorithm: 'leaky' as never, limit: 1, windowMs: 10 } })).toThrow('limits.algorithm');
    expect(() => rateLimiter({ limits: { limit: 1, windowMs: 10 }, fallbackShare: 0 })).toThrow('fallbackShare');
    expect(() => rateLimiter({ limits: { limit: 1, windowMs: 10 }, lease: { size: 5, ttlMs: 20 } })).toThrow(
      'Expected `lease.ttlMs` to be an integer from 1 to 10, got 20.',
    );
  });
});

describe('acquire', () => {
  test('waits its turn in FIFO order and wakes no earlier than the limit allows', async () => {
    const { clock, limiter } = setup({ limit: 10, windowMs: 1_000, burst: 1 });
    const order: string[] = [];
    const times: number[] = [];
    const calls = ['a', 'b', 'c'].map((id) =>
      limiter.acquire('k').then(() => {
        order.push(id);
        times.push(clock.now() - START);
      }),
    );
    await clock.tickAsync(250);
    await Promise.all(calls);
    expect(order).toEqual(['a', 'b', 'c']);
    expect(times).toEqual([0, 100, 200]);
  });

  test('refuses at once when the wait would exceed maxWaitMs', async () => {
    const { limiter } = setup({ algorithm: 'fixed-window', limit: 1, windowMs: 60_000 });
    await limiter.acquire('k');
    const error = await limiter.acquire('k', { maxWaitMs: 1_000 }).catch((e: unknown) => e);
    expect(isRateLimitedError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'RATE_LIMITED', key: 'k', reason: 'limit', retryAfterMs: 60_000, transient: true });
    expect((error as Error).message).toBe(
      'Rate limited on "k": the limit allows this call in 60000 ms, later than its wait of at most 1000 ms; retry after 60000 ms.',
    );
  });

  test('a call still queued behind others at its deadline is refused then, not later', async () => {
    const { clock, limiter } = setup({ limit: 10, windowMs: 1_000, burst: 1 });
    await limiter.acquire('k');
    const patient = [limiter.acquire('k'), limiter.acquire('k'), limiter.acquire('k')];
    let outcome: unknown;
    const hasty = limiter.acquire('k', { maxWaitMs: 150 }).then(
      () => (outcome = 'granted'),
      (e: unknown) => (outcome = e),
    );
    await clock.tickAsync(149);
    expect(outcome).toBeUndefined();
    await clock.tickAsync(1);
    await hasty;
    expect(outcome).toMatchObject({ code: 'RATE_LIMITED', reason: 'timeout', key: 'k', retryAfterMs: 300 });
    expect((outcome as Error).message).toBe(
      'Rate limited on "k": no turn came within its wait of at most 150 ms (2 calls ahead); retry after 300 ms.',
    );
    await clock.tickAsync(300);
    await Promise.all(patient);
    expect(limiter.queued).toBe(0);
  });

  test('a bounded queue: overflow is a clear RateLimitedError', async () => {
    const { clock, limiter } = setup({ limit: 1, windowMs: 1_000 }, { queue: 2 });
    await limiter.acquire('k');
    const waiting = [limiter.acquire('k'), limiter.acquire('k')];
    await clock.flush();
    expect(limiter.queued).toBe(2);
    const overflow = await limiter.acquire('k').catch((e: unknown) => e);
    expect(overflow).toMatchObject({ code: 'RATE_LIMITED', reason: 'queue-full' });
    expect((overflow as Error).message).toMatch(/2 calls are already waiting \(queue 2\)/);
    await clock.tickAsync(2_000);
    await Promise.all(waiting);
    expect(limiter.queued).toBe(0);
  });

  test('stops waiting at once on abort, with the abort reason, and the next waiter moves up', async () => {
    const { clock, limiter } = setup({ limit: 1, windowMs: 1_000 });
    await limiter.acquire('k');
    const controller = new AbortController();
    const first = limiter.acquire('k', { signal: controller.signal });
    const second = limiter.acquire('k');
    await clock.flush();
    const reason = new Error('caller gave up');
    controller.abort(reason);
    await expect(first).rejects.toBe(reason);
    expect(limiter.queued).toBe(1);
    await clock.tickAsync(1_000);
    await expect(second).resolves.toMatchObject({ allowed: true });
  });

  test('an already aborted signal rejects without taking a unit', async () => {
    const { limiter } = setup({ limit: 1, windowMs: 1_000 });
    await expect(limiter.acquire('k', { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    expect((await limiter.tryAcquire('k')).allowed).toBe(true);
  });

  test('a signal that is not an AbortSignal is refused before the call joins the queue, which goes on working', async () => {
    const { clock, limiter } = setup({ limit: 1, windowMs: 1_000 });
    await limiter.acquire('k');
    const refusal = new TypeError('Expected `signal` to be an AbortSignal or an execute context, got an object (Object).');
    await expect(limiter.acquire('k', { signal: { aborted: false } as never })).rejects.toThrow(refusal);
    await expect(limiter.execute(() => 'ran', { timeout: 5_000 } as never)).rejects.toThrow(refusal);
    expect(limiter.queued).toBe(0);
    const next = limiter.acquire('k');
    await clock.tickAsync(1_000); // the turn a queued call would have been given
    await expect(next).resolves.toMatchObject({ allowed: true });
  });

  test('an unknown option is refused, naming the option meant, before any unit is taken', async () => {
    const { limiter } = setup({ limit: 1, windowMs: 60_000 });
    await expect(limiter.acquire('k', { timeoutMs: 0 } as never)).rejects.toThrow(
      new TypeError('Unknown option `timeoutMs` of acquire(); did you mean `maxWaitMs`?'),
    );
    await expect(limiter.acquire('k', { weight: 1 } as never)).rejects.toThrow(new TypeError('Unknown option `weight` of acquire(); did you mean `cost`?'));
    expect((await limiter.tryAcquire('k')).allowed).toBe(true);
  });

  test('the Result twin returns an Err holding the RateLimitedError', async () => {
    const { limiter } = setup({ limit: 1, windowMs: 60_000 });
    await limiter.acquire('k');
    const result = await limiter.acquireResult('k', { maxWaitMs: 0 });
    expect(result.isErr() && isRateLimitedError(result.error)).toBe(true);
  });
});

describe('as a Policy', () => {
  test('pipeline(limiter, timeout) waits for a unit, then runs the call', async () => {
    const { clock, limiter } = setup({ limit: 2, windowMs: 1_000, burst: 1 });
    const policy = pipeline(limiter, timeout(5_000, { clock }));
    const started: number[] = [];
    const runs = [1, 2].map(() => policy.execute(async () => started.push(clock.now() - START)));
    await clock.tickAsync(600);
    await Promise.all(runs);
    expect(started).toEqual([0, 500]);
  });

  test('executeResult gives Err(RateLimitedError) when the wait is too long', async () => {
    const { limiter } = setup({ limit: 1, windowMs: 60_000 }, { maxWaitMs: 10, key: 'upstream' });
    await limiter.execute(() => 'first');
    const result = await limiter.executeResult(() => 'second');
    expect(result.isErr() && isBulwarkError(result.error) && result.error.code).toBe('RATE_LIMITED');
    expect(result.isErr() && (result.error as { key?: string }).key).toBe('upstream');
  });

  test('passes abort through to a waiting call', async () => {
    const { limiter } = setup({ limit: 1, windowMs: 1_000 });
    await limiter.execute(() => 1);
    const controller = new AbortController();
    const pending = limiter.execute(() => 2, controller.signal);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('events', () => {
  test('onRejected reports denials and refusals with the facts', async () => {
    const { limiter } = setup({ limit: 1, windowMs: 1_000 }, { name: 'github' });
    const seen: unknown[] = [];
    limiter.onRejected((e) => seen.push(e));
    await limiter.tryAcquire('k');
    await limiter.tryAcquire('k');
    await limiter.acquire('k', { maxWaitMs: 0 }).catch(() => {});
    expect(seen).toEqual([
      { name: 'github', key: 'k', retryAfterMs: 1_000, cost: 1, reason: 'denied' },
      { name: 'github', key: 'k', retryAfterMs: 1_000, cost: 1, reason: 'limit' },
    ]);
  });
});

describe('execute', () => {
  test('rejects a fn that is not a function, before taking a unit; executeResult is an Err', async () => {
    const { limiter } = setup({ limit: 1, windowMs: 1_000 });
    let pending: Promise<unknown> | undefined;
    expect(() => {
      pending = limiter.execute(undefined as never);
    }).not.toThrow();
    await expect(pending).rejects.toThrow(new TypeError('Expected `fn` to be a function, got undefined.'));
    expect((await limiter.executeResult('f' as never))._unsafeUnwrapErr().cause).toEqual(new TypeError('Expected `fn` to be a function, got "f".'));
    await expect(limiter.execute(() => 'ran')).resolves.toBe('ran'); // the one unit was still there
  });

  test('executeResult never quotes the original error: its kind is named, the error kept as cause', async () => {
    const { limiter } = setup({ limit: 1, windowMs: 1_000 });
    const original = new Error('POST https://user:S3cr3t@api.example.com failed'); // bulwark-allow-secret: a fake password, to show it is not quoted
    const error = (
      await limiter.executeResult(() => {
        throw original;
      })
    )._unsafeUnwrapErr();
    expect(error.message).toBe('The operation failed (Error).');
    expect(error.cause).toBe(original);
    expect(JSON.stringify(error)).not.toContain('S3cr3t');
  });
});

describe('memoryRateLimitStore', () => {
  test('is bounded, reclaims expired keys, and evicts the oldest live keys when full', async () => {
    const clock = createFakeClock({ now: START });
    const store = memoryRateLimitStore({ maxEntries: 100, clock });
    const limiter = rateLimiter({ limits: { limit: 1, windowMs: 1_000 }, store, clock });
    for (let i = 0; i < 100; i++) await limiter.tryAcquire(`k${i}`);
    expect(store.size).toBe(100);
    clock.tick(1_000); // all expired
    for (let i = 100; i < 150; i++) await limiter.tryAcquire(`k${i}`);
    expect(store.size).toBe(50);
    expect(store.evictions).toBe(0);
    for (let i = 150; i < 400; i++) await limiter.tryAcquire(`k${i}`);
    expect(store.size).toBeLessThanOrEqual(100);
    expect(store.evictions).toBeGreaterThan(0);
    // A recent key is still limited.
    expect((await limiter.tryAcquire('k399')).allowed).toBe(false);
  });

  test('validates its options', () => {
    expect(() => memoryRateLimitStore({ maxEntries: 0 })).toThrow('Expected `maxEntries` to be a positive integer, got 0.');
  });
});

// Exactly the fields of `RateLimitDecision`, whichever path made the decision.
const DECISION_FIELDS = ['allowed', 'decidedAt', 'fallback', 'remaining', 'retryAfterMs'] satisfies (keyof RateLimitDecision)[];
const fields = (d: RateLimitDecision): string[] => Object.keys(d).sort();

test('every decision has the documented fields and no others: the store, a queued wait, learning, a lease, the fallback', async () => {
  const clock = createFakeClock({ now: START });
  const decisions: RateLimitDecision[] = [];

  const plain = rateLimiter({ limits: { limit: 1, windowMs: 1_000 }, clock });
  decisions.push(await plain.tryAcquire('k'), await plain.tryAcquire('k'));
  const queued = plain.acquire('k');
  await clock.tickAsync(1_000);
  decisions.push(await queued);

  const learning = rateLimiter({ learn: true, clock });
  decisions.push(await learning.tryAcquire('api'), await learning.tryAcquire('api')); // a first contact, then held

  const leased = rateLimiter({ limits: { limit: 2, windowMs: 1_000 }, clock, lease: { size: 2 } });
  decisions.push(await leased.tryAcquire('k'), await leased.tryAcquire('k'), await leased.tryAcquire('k'));

  // A shared store (one that can fail) answering, then failing.
  const memory = memoryRateLimitStore({ clock });
  let up = true;
  const shared = {
    kind: 'redis',
    decide: (...args: Parameters<RateLimitStore['decide']>) =>
      up ? Promise.resolve(memory.decide(...args)) : Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6390')),
  } as unknown as RateLimitStore;
  const sharing = rateLimiter({ limits: { limit: 100, windowMs: 1_000 }, store: shared, clock });
  decisions.push(await sharing.tryAcquire('k'));
  up = false;
  decisions.push(await sharing.tryAcquire('k'));

  expect(decisions.map((d) => [d.allowed, d.fallback])).toEqual([
    [true, false], [false, false], [true, false],
    [true, false], [false, false],
    [true, false], [true, false], [false, false],
    [true, false], [true, true],
  ]);
  for (const d of decisions) expect(fields(d)).toEqual(DECISION_FIELDS);
});
