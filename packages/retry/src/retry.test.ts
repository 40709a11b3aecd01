import { BulkheadFullError, BulwarkError, MAX_DURATION_MS, TimeoutError, createFakeClock, pipeline, timeout, type Clock, type TimerOptions } from '@bulwark/core';
import { deferred, flaky, runUntilSettled, settled } from '@bulwark/test-utils';
import { ExponentialBackoff, IterableBackoff } from 'cockatiel';
import { getEventListeners } from 'node:events';
import { describe, expect, test } from 'vitest';
import {
  RetriesExhaustedError,
  RetryBudgetExhaustedError,
  constantBackoff,
  exponentialBackoff,
  isRetriesExhaustedError,
  isRetryBudgetExhaustedError,
  retry,
  retryBudget,
  type GiveUpEvent,
  type RetryEvent,
} from './index.js';

const reset = (): Error => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
const refused = (): Error => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
const http = (status: number, extra: object = {}): Error =>
  Object.assign(new Error(`HTTP ${status}`), { status, ...extra });

describe('retry', () => {
  test('returns the first success without waiting, and reports one attempt', async () => {
    const clock = createFakeClock();
    const policy = retry({ clock });
    const successes: number[] = [];
    policy.onSuccess(({ attempts }) => successes.push(attempts));
    const seen: number[] = [];
    expect(await policy.execute(({ attempt }) => (seen.push(attempt), 'ok'))).toBe('ok');
    expect(seen).toEqual([1]);
    expect(successes).toEqual([1]);
    expect(clock.pendingTimers).toBe(0);
  });

  test('retries a transient failure after the backoff and succeeds', async () => {
    const clock = createFakeClock();
    const policy = retry({ clock, backoff: constantBackoff(100), name: 'users-api' });
    const retries: RetryEvent[] = [];
    policy.onRetry((e) => retries.push(e));
    const fn = flaky([{ error: reset() }, { error: http(503) }, 'ok']);
    const attempts: number[] = [];
    const call = policy.execute(({ attempt }) => (attempts.push(attempt), fn()));
    await clock.tickAsync(99);
    expect(fn.calls).toBe(1);
    await clock.tickAsync(1);
    expect(fn.calls).toBe(2);
    await clock.tickAsync(100);
    expect(await call).toBe('ok');
    expect(attempts).toEqual([1, 2, 3]);
    expect(retries.map(({ attempt, delayMs, name }) => ({ attempt, delayMs, name }))).toEqual([
      { attempt: 1, delayMs: 100, name: 'users-api' },
      { attempt: 2, delayMs: 100, name: 'users-api' },
    ]);
    expect((retries[0]!.error as { code: string }).code).toBe('ECONNRESET');
  });

  test('maxAttempts counts every call, the first included', async () => {
    const clock = createFakeClock();
    const policy = retry({ clock, maxAttempts: 3, backoff: constantBackoff(10) });
    const giveUps: GiveUpEvent[] = [];
    policy.onGiveUp((e) => giveUps.push(e));
    const errors = [reset(), http(502), http(504)];
    const fn = flaky(errors.map((error) => ({ error })));
    const out = await settled(runUntilSettled(clock, policy.execute(fn), { stepMs: 'timers' }));
    expect(fn.calls).toBe(3);
    expect(out.ok).toBe(false);
    const error = (out as { error: RetriesExhaustedError }).error;
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect(isRetriesExhaustedError(error)).toBe(true);
    expect(error.code).toBe('RETRIES_EXHAUSTED');
    expect(error.reason).toBe('max-attempts');
    expect(error.attempts).toBe(3);
    expect(error.errors).toEqual(errors);
    expect(error.cause).toBe(errors[2]);
    expect(error.transient).toBe(false);
    expect(error.message).toBe(
      'Gave up retrying: all 3 attempts failed (maxAttempts is 3); the last error was Error status 504.',
    );
    expect(giveUps).toEqual([{ attempts: 3, error: errors[2], reason: 'max-attempts', name: 'retry' }]);
  });

  test('maxAttempts: 1 never retries', async () => {
    const clock = createFakeClock();
    const fn = flaky([{ error: reset() }, 'ok']);
    const out = await settled(runUntilSettled(clock, retry({ clock, maxAttempts: 1 }).execute(fn), { stepMs: 'timers' }));
    expect(fn.calls).toBe(1);
    expect(isRetriesExhaustedError((out as { error: unknown }).error)).toBe(true);
  });

  test('a failure not worth retrying rejects at once with the original error', async () => {
    const clock = createFakeClock();
    const policy = retry({ clock });
    const giveUps: GiveUpEvent[] = [];
    policy.onGiveUp((e) => giveUps.push(e));
    const badRequest = http(400);
    const fn = flaky([{ error: badRequest }, 'ok']);
    await expect(policy.execute(fn)).rejects.toBe(badRequest);
    expect(fn.calls).toBe(1);
    expect(giveUps).toEqual([{ attempts: 1, error: badRequest, reason: 'not-retryable', name: 'retry' }]);
    expect(clock.pendingTimers).toBe(0);
  });

  test('a custom shouldRetry decides, and is told the attempt', async () => {
    const clock = createFakeClock();
    const seen: number[] = [];
    const policy = retry({
      clock,
      backoff: constantBackoff(0),
      shouldRetry: (error, { attempt }) => (seen.push(attempt), (error as Error).message === 'flaky'),
    });
    const fn = flaky([{ error: new Error('flaky') }, { error: new Error('broken') }, 'ok']);
    const out = await settled(runUntilSettled(clock, policy.execute(fn), { stepMs: 'timers' }));
    expect((out as { error: Error }).error.message).toBe('broken');
    expect(seen).toEqual([1, 2]);
  });

  test('a zero wait on the system clock takes one turn of the event loop, so other work runs between attempts', async () => {
    let turned = false;
    setImmediate(() => (turned = true));
    let calls = 0;
    const seen = await retry({ backoff: constantBackoff(0), maxAttempts: 2, unref: false }).execute(() => {
      if (++calls === 1) throw reset(); // fails synchronously: nothing but the wait lets the loop turn
      return turned;
    });
    expect([calls, seen]).toEqual([2, true]);
  });

  test('a synchronous throw is retried like a rejection', async () => {
    const clock = createFakeClock();
    let calls = 0;
    const call = retry({ clock, backoff: constantBackoff(5) }).execute(() => {
      if (++calls === 1) throw reset();
      return 'ok';
    });
    await clock.runAllAsync();
    expect(await call).toBe('ok');
  });

  test('maxDelayMs caps the wait the backoff chooses', async () => {
    const clock = createFakeClock();
    const policy = retry({ clock, backoff: constantBackoff(60_000), maxDelayMs: 250 });
    const delays: number[] = [];
    policy.onRetry(({ delayMs }) => delays.push(delayMs));
    await settled(runUntilSettled(clock, policy.execute(flaky([{ error: reset() }])), { stepMs: 'timers' }));
    expect(delays).toEqual([250, 250]);
  });

  test('gives up before a wait that would cross maxElapsedMs, without waiting', async () => {
    const clock = createFakeClock();
    const policy = retry({ clock, maxAttempts: 10, backoff: constantBackoff(400), maxElapsedMs: 1_000 });
    const giveUps: GiveUpEvent[] = [];
    policy.onGiveUp((e) => giveUps.push(e));
    const fn = flaky([{ error: reset() }]);
    const out = await settled(runUntilSettled(clock, policy.execute(fn), { stepMs: 'timers' }));
    // Waits at 0 → 400 → 800; a third wait would end at 1200.
    expect(fn.calls).toBe(3);
    expect(clock.monotonic()).toBe(800);
    const error = (out as { error: RetriesExhaustedError }).error;
    expect(error.reason).toBe('deadline');
    expect(error.message).toContain('the next wait of 400 ms would cross the 1000 ms deadline (maxElapsedMs)');
    expect(giveUps[0]!.reason).toBe('deadline');
  });

  test('time spent in attempts counts against the deadline', async () => {
    const clock = createFakeClock();
    const policy = retry({ clock, backoff: constantBackoff(100), maxElapsedMs: 1_000 });
    const call = policy.execute(async () => {
      await new Promise<void>((resolve) => clock.setTimeout(resolve, 950));
      throw reset();
    });
    const out = await settled(runUntilSettled(clock, call, { stepMs: 'timers' }));
    expect((out as { error: RetriesExhaustedError }).error.reason).toBe('deadline');
    expect(clock.monotonic()).toBe(950);
  });

  test("a server's retryAfterMs makes the next wait at least that long", async () => {
    const clock = createFakeClock();
    const policy = retry({ clock, backoff: constantBackoff(10), maxDelayMs: 100 });
    const delays: number[] = [];
    policy.onRetry(({ delayMs }) => delays.push(delayMs));
    const fn = flaky([{ error: http(429, { retryAfterMs: 2_000 }) }, { error: http(503, { retryAfterMs: 1 }) }, 'ok']);
    const call = policy.execute(fn);
    await clock.tickAsync(1_999);
    expect(fn.calls).toBe(1);
    await clock.tickAsync(1);
    expect(fn.calls).toBe(2);
    await clock.runAllAsync();
    expect(await call).toBe('ok');
    expect(delays).toEqual([2_000, 10]);
  });

  test('a retryAfterMs that would cross the deadline gives up at once and says why', async () => {
    const clock = createFakeClock();
    const policy = retry({ clock, maxElapsedMs: 5_000 });
    const limited = http(429, { retryAfterMs: 60_000 });
    const caught = policy.execute(flaky<never>([{ error: limited }])).catch((e: unknown) => e as RetriesExhaustedError);
    await clock.flush();
    expect(clock.pendingTimers).toBe(0);
    const error = await caught;
    expect(clock.monotonic()).toBe(0);
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect(error.reason).toBe('deadline');
    expect(error.attempts).toBe(1);
    expect(error.retryAfterMs).toBe(60_000);
    expect(error.message).toBe(
      'Gave up retrying: after 1 attempt, the server asked to wait 60000 ms (retryAfterMs), which would cross the 5000 ms deadline (maxElapsedMs); the last error was Error status 429.',
    );
  });

  test.each([
    ['no maxElapsedMs', {}],
    ['a maxElapsedMs longer than a timer holds', { maxElapsedMs: 40 * 86_400_000 }],
  ])('with %s, a retryAfterMs longer than a timer can wait gives up saying so, not naming a deadline never set', async (_case, options) => {
    const clock = createFakeClock();
    const policy = retry({ clock, ...options });
    const caught = policy.execute(flaky<never>([{ error: http(429, { retryAfterMs: 30 * 86_400_000 }) }])).catch((e: unknown) => e as RetriesExhaustedError);
    await clock.flush();
    const error = await caught;
    expect(error.reason).toBe('deadline');
    expect(error.message).toBe(
      'Gave up retrying: after 1 attempt, the server asked to wait 2592000000 ms (retryAfterMs), which would be longer than a timer can wait (2147483647 ms, about 24.8 days); the last error was Error status 429.',
    );
  });

  describe('idempotent: false', () => {
    test('does not retry a failure after which the request may have reached the server', async () => {
      const clock = createFakeClock();
      const policy = retry({ clock, idempotent: false });
      const giveUps: GiveUpEvent[] = [];
      policy.onGiveUp((e) => giveUps.push(e));
      for (const error of [reset(), http(503), http(429)]) {
        const fn = flaky([{ error }, 'ok']);
        await expect(policy.execute(fn)).rejects.toBe(error);
        expect(fn.calls).toBe(1);
      }
      expect(giveUps.map((g) => g.reason)).toEqual(['not-idempotent', 'not-idempotent', 'not-idempotent']);
    });

    test('retries failures that prove the request was not sent', async () => {
      const clock = createFakeClock();
      const policy = retry({ clock, idempotent: false, backoff: constantBackoff(1) });
      const notSent = [
        refused(),
        Object.assign(new Error('getaddrinfo EAI_AGAIN api.example.com'), { code: 'EAI_AGAIN' }),
        new TypeError('fetch failed', { cause: refused() }),
        http(503, { requestSent: false }),
        new BulkheadFullError(1, 0),
      ];
      for (const error of notSent) {
        const fn = flaky([{ error }, 'ok']);
        const call = policy.execute(fn);
        await clock.runAllAsync();
        expect(await call).toBe('ok');
        expect(fn.calls).toBe(2);
      }
    });

    test('the caller can say what was sent', async () => {
      const clock = createFakeClock();
      const policy = retry({
        clock,
        idempotent: false,
        backoff: constantBackoff(1),
        requestMayHaveBeenSent: (error) => (error as { status?: number }).status !== 429,
      });
      const fn = flaky([{ error: http(429) }, 'ok']);
      const call = policy.execute(fn);
      await clock.runAllAsync();
      expect(await call).toBe('ok');
    });
  });

  describe('cancellation', () => {
    test('an abort during a wait rejects at once with the reason and clears the timer', async () => {
      const clock = createFakeClock();
      const policy = retry({ clock, backoff: constantBackoff(10_000) });
      const giveUps: GiveUpEvent[] = [];
      policy.onGiveUp((e) => giveUps.push(e));
      const controller = new AbortController();
      const fn = flaky([{ error: reset() }, 'ok']);
      const call = policy.execute(fn, controller.signal);
      await clock.flush();
      expect(clock.pendingTimers).toBe(1);
      const reason = new Error('user left');
      controller.abort(reason);
      await expect(call).rejects.toBe(reason);
      expect(clock.pendingTimers).toBe(0);
      expect(clock.monotonic()).toBe(0);
      expect(fn.calls).toBe(1);
      expect(giveUps).toEqual([{ attempts: 1, error: reason, reason: 'aborted', name: 'retry' }]);
    });

    test('an already aborted signal rejects without calling', async () => {
      const controller = new AbortController();
      controller.abort(new Error('gone'));
      let calls = 0;
      await expect(retry().execute(() => ++calls, controller.signal)).rejects.toThrow('gone');
      expect(calls).toBe(0);
    });

    test("an abort reaches the attempt's signal, and the call rejects with the reason, not retrying", async () => {
      const clock = createFakeClock();
      const controller = new AbortController();
      let calls = 0;
      const call = retry({ clock }).execute(({ signal }) => {
        calls++;
        return new Promise((_, reject) => signal.addEventListener('abort', () => reject(reset())));
      }, controller.signal);
      controller.abort(new Error('stop'));
      await expect(call).rejects.toThrow('stop');
      expect(calls).toBe(1);
    });
  });

  test('leaves no listener on a long-lived signal, hedged or not', async () => {
    const clock = createFakeClock();
    const shutdown = new AbortController();
    const plain = retry({ clock, backoff: constantBackoff(5) });
    const hedged = retry({ clock, backoff: constantBackoff(5), hedge: { delayMs: 1 } });
    for (const policy of [plain, hedged]) {
      for (let i = 0; i < 3; i++) {
        const fn = flaky([{ error: reset() }, 'ok']);
        const call = policy.execute(({ signal }) => (signal.aborted ? 'aborted' : fn()), shutdown.signal);
        await clock.runAllAsync();
        expect(await call).toBe('ok');
      }
    }
    expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(0);
  });

  test('waits hold the process by default, and are unref’d with unref: true', async () => {
    const fake = createFakeClock();
    const seen: Array<boolean | undefined> = [];
    const clock: Clock = {
      now: () => fake.now(),
      monotonic: () => fake.monotonic(),
      setTimeout: (callback: () => void, delayMs: number, options?: TimerOptions) => {
        seen.push(options?.unref);
        return fake.setTimeout(callback, delayMs);
      },
    };
    for (const unref of [undefined, true] as const) {
      const call = retry({ clock, backoff: constantBackoff(5), ...(unref === undefined ? {} : { unref }) }).execute(
        flaky([{ error: reset() }, 'ok']),
      );
      await fake.runAllAsync();
      await call;
    }
    expect(seen).toEqual([false, true]);
  });

  test('a custom backoff is told the attempt, the error and its previous (capped) wait', async () => {
    const clock = createFakeClock();
    const seen: Array<[number, number, string]> = [];
    const policy = retry({
      clock,
      maxAttempts: 4,
      maxDelayMs: 500,
      backoff: ({ attempt, previousDelayMs, error }) => (seen.push([attempt, previousDelayMs, (error as Error).message]), attempt * 300),
    });
    await settled(runUntilSettled(clock, policy.execute(flaky([{ error: reset() }])), { stepMs: 'timers' }));
    expect(seen).toEqual([
      [1, 0, 'read ECONNRESET'],
      [2, 300, 'read ECONNRESET'],
      [3, 500, 'read ECONNRESET'],
    ]);
  });

  test('honours retryAfterMs on a transient Bulwark error, such as an open circuit', async () => {
    class OpenCircuit extends BulwarkError {
      readonly code = 'CIRCUIT_OPEN' as const;
    }
    const clock = createFakeClock();
    const policy = retry({ clock, backoff: constantBackoff(0) });
    const fn = flaky([{ error: new OpenCircuit('open', { transient: true, retryAfterMs: 750 }) }, 'ok']);
    const call = policy.execute(fn);
    await clock.tickAsync(749);
    expect(fn.calls).toBe(1);
    await clock.tickAsync(1);
    expect(await call).toBe('ok');
  });

  test('accepts a cockatiel backoff', async () => {
    const clock = createFakeClock();
    const policy = retry({ clock, maxAttempts: 4, backoff: new IterableBackoff([30, 70, 200]) });
    const delays: number[] = [];
    policy.onRetry(({ delayMs }) => delays.push(delayMs));
    await settled(runUntilSettled(clock, policy.execute(flaky([{ error: reset() }])), { stepMs: 'timers' }));
    expect(delays).toEqual([30, 70, 200]);
  });

  test("accepts cockatiel's ExponentialBackoff (Polly's decorrelated jitter), capped at maxDelayMs", async () => {
    const clock = createFakeClock();
    const policy = retry({ clock, maxAttempts: 6, maxDelayMs: 400, backoff: new ExponentialBackoff({ initialDelay: 50 }) });
    const delays: number[] = [];
    policy.onRetry(({ delayMs }) => delays.push(delayMs));
    const fn = flaky([{ error: reset() }]);
    await settled(runUntilSettled(clock, policy.execute(fn), { stepMs: 'timers' }));
    expect(fn.calls).toBe(6);
    expect(delays).toHaveLength(5);
    for (const d of delays) expect(d >= 0 && d <= 400).toBe(true);
  });

  test('a backoff that returns a bad number rejects with a TypeError that says so', async () => {
    const policy = retry({ backoff: () => Number.NaN });
    await expect(policy.execute(flaky([{ error: reset() }]))).rejects.toThrow(
      'Expected `backoff` to return a non-negative number of milliseconds, got NaN.',
    );
  });

  test('executeResult returns Ok or an Err holding a BulwarkError', async () => {
    const clock = createFakeClock();
    const policy = retry({ clock, maxAttempts: 2, backoff: constantBackoff(1) });
    const ok = await policy.executeResult(() => 42);
    expect(ok.isOk() && ok.value).toBe(42);
    const pending = policy.executeResult(flaky([{ error: reset() }]));
    await clock.runAllAsync();
    const err = await pending;
    expect(err.isErr() && err.error.code).toBe('RETRIES_EXHAUSTED');
    const bad = await policy.executeResult(flaky([{ error: http(404) }]));
    expect(bad.isErr() && bad.error.code).toBe('OPERATION_FAILED');
  });

  test('executeResult never quotes the original error: its kind is named, the error kept as cause', async () => {
    const clock = createFakeClock();
    const policy = retry({ clock, maxAttempts: 2, backoff: constantBackoff(1) });
    const notRetried = http(401, { message: 'GET /v1?token=S3cr3t: HTTP 401' });
    const failed = (await policy.executeResult(flaky([{ error: notRetried }])))._unsafeUnwrapErr();
    expect(failed.message).toBe('The operation failed (Error status 401).');
    expect(failed.cause).toBe(notRetried);
    const retried = Object.assign(new Error('connect to db?password=S3cr3t failed'), { code: 'ECONNRESET' });
    const pending = policy.executeResult(async () => {
      throw retried;
    });
    await clock.runAllAsync();
    const exhausted = (await pending)._unsafeUnwrapErr();
    expect(exhausted.code).toBe('RETRIES_EXHAUSTED');
    expect(exhausted.cause).toBe(retried);
    for (const error of [failed, exhausted]) {
      expect(error.message).not.toContain('S3cr3t');
      expect(JSON.stringify(error)).not.toContain('S3cr3t');
    }
  });

  test('composes in a pipeline: each attempt gets its own timeout, and timeouts are retried', async () => {
    const clock = createFakeClock();
    const policy = pipeline(retry({ clock, backoff: constantBackoff(0) }), timeout(100, { clock }));
    let calls = 0;
    const call = policy.execute(({ signal, attempt }) => {
      calls++;
      if (attempt === 3) return 'ok';
      return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    });
    await clock.runAllAsync();
    expect(await call).toBe('ok');
    expect(calls).toBe(3);
  });

  test('RetriesExhaustedError serialises without the errors’ messages', async () => {
    const clock = createFakeClock();
    const secret = Object.assign(new Error('GET https://api.example.com/?key=sk_live_123 failed'), { status: 503 });
    const out = await settled(runUntilSettled(clock, retry({ clock, maxAttempts: 2, backoff: constantBackoff(0) }).execute(flaky([{ error: secret }])), { stepMs: 'timers' }));
    const json = JSON.stringify((out as { error: RetriesExhaustedError }).error);
    expect(json).not.toContain('sk_live_123');
    expect(JSON.parse(json)).toMatchObject({ code: 'RETRIES_EXHAUSTED', attempts: 2, errors: ['Error status 503', 'Error status 503'] });
  });
});

describe('retry budget', () => {
  test('is shared by the policies that hold it, and a spent budget fails fast', async () => {
    const clock = createFakeClock();
    // Floor: 1 retry per second over a 1 s window = 1 retry; ratio 0 adds none.
    const budget = retryBudget({ ratio: 0, minRetriesPerSecond: 1, windowMs: 1_000, clock });
    const a = retry({ clock, budget, backoff: constantBackoff(0) });
    const b = retry({ clock, budget, backoff: constantBackoff(0), name: 'b' });
    const giveUps: GiveUpEvent[] = [];
    b.onGiveUp((e) => giveUps.push(e));
    const first = flaky([{ error: reset() }, 'ok']);
    const call = a.execute(first);
    await clock.flush();
    await clock.tickAsync(0);
    expect(await call).toBe('ok');
    expect(budget.available).toBe(0);
    const second = flaky<string>([{ error: reset() }, 'ok']);
    const error = (await b.execute(second).then(
      () => undefined,
      (e: unknown) => e,
    )) as RetryBudgetExhaustedError;
    expect(second.calls).toBe(1);
    expect(isRetryBudgetExhaustedError(error)).toBe(true);
    expect(error.attempts).toBe(1);
    expect(error.cause).toBe(error.errors[0]);
    expect(error.message).toContain('the retry budget is spent');
    expect(giveUps.map((g) => g.reason)).toEqual(['budget']);
    // The window slides: a second later the retry is allowed again.
    await clock.tickAsync(1_000);
    expect(budget.available).toBe(1);
  });

  test('allows retries in proportion to recent calls', () => {
    const clock = createFakeClock();
    const budget = retryBudget({ ratio: 0.25, minRetriesPerSecond: 0, windowMs: 10_000, clock });
    for (let i = 0; i < 8; i++) budget.recordCall();
    expect(budget.available).toBe(2);
    expect(budget.tryRetry()).toBe(true);
    expect(budget.tryRetry()).toBe(true);
    expect(budget.tryRetry()).toBe(false);
    clock.tick(5_000);
    for (let i = 0; i < 4; i++) budget.recordCall();
    expect(budget.available).toBe(1);
    // The first eight calls and both retries leave the window.
    clock.tick(5_000);
    expect(budget.available).toBe(1);
    clock.tick(5_000);
    expect(budget.available).toBe(0);
  });

  test('validates its options', () => {
    expect(() => retryBudget({ ratio: -1 })).toThrow('Expected `ratio` to be a non-negative number, got -1.');
    const window = 'Expected `windowMs` to be an integer from 10 to 3_155_760_000_000 (100 years, the bound of every window in Bulwark), got';
    // A window this long would make the floor of retries so large that the budget never refused one.
    expect(() => retryBudget({ windowMs: 1e300 })).toThrow(new TypeError(`${window} 1e+300.`));
    expect(() => retryBudget({ windowMs: 5 })).toThrow(new TypeError(`${window} 5.`));
    expect(() => retryBudget({ windowMs: MAX_DURATION_MS + 1 })).toThrow(new TypeError(`${window} 3155760000001.`));
    expect(retryBudget({ windowMs: MAX_DURATION_MS }).available).toBe(31_557_600_000);
    expect(() => retry({ budget: {} as never })).toThrow('Expected `budget` to be a RetryBudget');
  });
});

describe('hedging', () => {
  test('starts another attempt after the delay; the first success wins and the loser is aborted', async () => {
    const clock = createFakeClock();
    const policy = retry({ clock, hedge: { delayMs: 50 } });
    const hedges: number[] = [];
    policy.onHedge(({ attempt }) => hedges.push(attempt));
    const successes: number[] = [];
    policy.onSuccess(({ attempts }) => successes.push(attempts));
    const slow = deferred<string>();
    const signals: AbortSignal[] = [];
    const call = policy.execute(({ attempt, signal }) => {
      signals.push(signal);
      return attempt === 1 ? slow.promise : Promise.resolve('fast');
    });
    await clock.tickAsync(49);
    expect(signals).toHaveLength(1);
    await clock.tickAsync(1);
    expect(await call).toBe('fast');
    expect(signals).toHaveLength(2);
    expect(signals[0]!.aborted).toBe(true);
    expect((signals[0]!.reason as DOMException).name).toBe('AbortError');
    expect(signals[1]!.aborted).toBe(false);
    expect(hedges).toEqual([2]);
    expect(successes).toEqual([2]);
    slow.resolve('late');
    expect(clock.pendingTimers).toBe(0);
  });

  test('concurrent calls of one policy each hedge on time; a call answered first never hedges', async () => {
    const clock = createFakeClock();
    const policy = retry({ clock, hedge: { delayMs: 50 }, unref: false });
    const hedgesAt: Array<[number, number]> = [];
    const answers = [deferred<string>(), deferred<string>(), deferred<string>()];
    const calls = answers.map((answer, i) => ({ answer, i }));
    const started: Promise<string>[] = [];
    for (const { answer, i } of calls) {
      started.push(
        policy.execute(({ attempt }) => {
          if (attempt === 2) hedgesAt.push([i, clock.monotonic()]);
          return attempt === 1 ? answer.promise : new Promise<string>(() => {});
        }),
      );
      await clock.tickAsync(20);
    }
    // t = 60: call 0 hedged at 50; call 1 answers before its hedge (due at 70).
    answers[1]!.resolve('one');
    expect(await started[1]).toBe('one');
    await clock.tickAsync(100);
    expect(hedgesAt).toEqual([
      [0, 50],
      [2, 90],
    ]);
    answers[0]!.resolve('zero');
    answers[2]!.resolve('two');
    expect(await Promise.all([started[0], started[2]])).toEqual(['zero', 'two']);
    // With unref: false, no idle timer is left to hold the process.
    expect(clock.pendingTimers).toBe(0);
  });

  test('bounds the number of hedged attempts, and they count toward maxAttempts', async () => {
    const clock = createFakeClock();
    const never = (): Promise<never> => new Promise(() => {});
    let calls = 0;
    const a = retry({ clock, hedge: { delayMs: 10, maxHedgedAttempts: 2 } });
    void a.execute(() => (calls++, never()));
    await clock.tickAsync(1_000);
    expect(calls).toBe(3);
    calls = 0;
    const b = retry({ clock, maxAttempts: 2, hedge: { delayMs: 10, maxHedgedAttempts: 5 } });
    void b.execute(() => (calls++, never()));
    await clock.tickAsync(1_000);
    expect(calls).toBe(2);
  });

  test('a failed attempt leaves the others running; when all fail the policy retries after its backoff', async () => {
    const clock = createFakeClock();
    const policy = retry({ clock, maxAttempts: 4, backoff: constantBackoff(100), hedge: { delayMs: 10 } });
    const first = deferred<string>();
    const starts: number[] = [];
    const call = policy.execute(({ attempt }) => {
      starts.push(clock.monotonic());
      if (attempt === 1) return first.promise;
      if (attempt === 2) return Promise.reject(reset());
      return 'third';
    });
    await clock.tickAsync(10); // hedge starts and fails at once; attempt 1 still out
    expect(starts).toEqual([0, 10]);
    first.reject(http(502));
    await clock.runAllAsync();
    expect(await call).toBe('third');
    expect(starts).toEqual([0, 10, 110]);
  });

  test('a failure not worth retrying ends the call at once and aborts the attempts in flight', async () => {
    const clock = createFakeClock();
    const policy = retry({ clock, hedge: { delayMs: 10 } });
    const signals: AbortSignal[] = [];
    const badRequest = http(400);
    const call = policy.execute(({ attempt, signal }) => {
      signals.push(signal);
      return attempt === 1 ? new Promise<never>(() => {}) : Promise.reject(badRequest);
    });
    const rejected = expect(call).rejects.toBe(badRequest);
    await clock.tickAsync(10);
    await rejected;
    expect(signals[0]!.aborted).toBe(true);
  });

  test("the caller's abort rejects at once and aborts every attempt", async () => {
    const clock = createFakeClock();
    const controller = new AbortController();
    const signals: AbortSignal[] = [];
    const call = retry({ clock, hedge: { delayMs: 10 } }).execute(({ signal }) => {
      signals.push(signal);
      return new Promise<never>(() => {});
    }, controller.signal);
    await clock.tickAsync(10);
    controller.abort(new Error('bye'));
    await expect(call).rejects.toThrow('bye');
    expect(signals.map((s) => s.aborted)).toEqual([true, true]);
    expect(clock.pendingTimers).toBe(0);
  });

  test('a spent budget stops hedging but not the attempt in flight', async () => {
    const clock = createFakeClock();
    const budget = retryBudget({ ratio: 0, minRetriesPerSecond: 0, clock });
    let calls = 0;
    const only = deferred<string>();
    const call = retry({ clock, budget, hedge: { delayMs: 10 } }).execute(() => (calls++, only.promise));
    await clock.tickAsync(100);
    expect(calls).toBe(1);
    only.resolve('ok');
    expect(await call).toBe('ok');
  });

  test('an abort during the backoff of a hedged call rejects at once and clears the wait', async () => {
    const clock = createFakeClock();
    const controller = new AbortController();
    const fn = flaky([{ error: reset() }, 'ok']);
    // unref: false, so the policy's shared hedge timer is cleared as soon as no hedge is pending.
    const policy = retry({ clock, backoff: constantBackoff(5_000), hedge: { delayMs: 100 }, unref: false });
    const call = policy.execute(fn, controller.signal);
    await clock.tickAsync(0);
    expect(fn.calls).toBe(1);
    expect(clock.pendingTimers).toBe(1);
    controller.abort(new Error('cancelled'));
    await expect(call).rejects.toThrow('cancelled');
    expect(clock.pendingTimers).toBe(0);
    expect(clock.monotonic()).toBe(0);
  });

  test('no hedge is started whose wait would cross the deadline', async () => {
    const clock = createFakeClock();
    let calls = 0;
    void retry({ clock, maxElapsedMs: 80, hedge: { delayMs: 100 } }).execute(() => (calls++, new Promise(() => {})));
    await clock.tickAsync(1_000);
    expect(calls).toBe(1);
  });

  test('hedging is refused for non-idempotent calls', () => {
    expect(() => retry({ idempotent: false, hedge: { delayMs: 10 } })).toThrow(
      'Expected `hedge` to be undefined when `idempotent` is false',
    );
  });
});

describe('options', () => {
  test.each([
    [{ maxAttempts: 0 }, 'Expected `maxAttempts` to be a positive integer or Infinity, got 0.'],
    [{ maxAttempts: 1.5 }, 'Expected `maxAttempts` to be a positive integer or Infinity, got 1.5.'],
    [{ maxAttempts: '3' }, 'Expected `maxAttempts` to be a positive integer or Infinity, got "3".'],
    [{ maxDelayMs: -1 }, 'Expected `maxDelayMs` to be a number from 0 to 2_147_483_647, got -1.'],
    [{ maxElapsedMs: Number.NaN }, 'Expected `maxElapsedMs` to be a non-negative number or Infinity, got NaN.'],
    [{ backoff: 100 }, 'Expected `backoff` to be a backoff function or a cockatiel backoff (an object with next), got 100.'],
    [{ backoff: exponentialBackoff }, 'Expected `backoff` to be a backoff, not the factory that makes one: `exponentialBackoff()`, got a function.'],
    [{ backoff: constantBackoff }, 'Expected `backoff` to be a backoff, not the factory that makes one: `constantBackoff(delayMs)`, got a function.'],
    [{ backoff: ExponentialBackoff }, 'Expected `backoff` to be a cockatiel backoff, not its class: `new ExponentialBackoff()`, got a function.'],
    [{ shouldRetry: true }, 'Expected `shouldRetry` to be a function, got true.'],
    [{ idempotent: 'no' }, 'Expected `idempotent` to be a boolean, got "no".'],
    [{ hedge: { delayMs: -5 } }, 'Expected `hedge.delayMs` to be a number from 0 to 2_147_483_647, got -5.'],
    [{ hedge: { delayMs: 5, maxHedgedAttempts: 0 } }, 'Expected `hedge.maxHedgedAttempts` to be a positive integer, got 0.'],
    [{ unref: 1 }, 'Expected `unref` to be a boolean, got 1.'],
    [{ clock: {} }, 'Expected `clock` to be a Clock (now, monotonic and setTimeout), got an object (Object).'],
    [{ name: 42 }, 'Expected `name` to be a non-empty string, got 42.'],
    [{ name: '' }, 'Expected `name` to be a non-empty string, got "".'],
  ])('rejects %o', (options, message) => {
    expect(() => retry(options as never)).toThrow(new TypeError(message));
  });

  test('accepts Infinity for maxAttempts and exposes name and maxAttempts', () => {
    const policy = retry({ maxAttempts: Infinity, maxElapsedMs: 60_000, name: 'billing' });
    expect(policy.maxAttempts).toBe(Infinity);
    expect(policy.name).toBe('billing');
    expect(retry().name).toBe('retry');
  });

  test('execute rejects a fn that is not a function, before any attempt; executeResult is an Err', async () => {
    const policy = retry();
    const events: unknown[] = [];
    policy.onGiveUp((e) => events.push(e));
    let pending: Promise<unknown> | undefined;
    expect(() => {
      pending = policy.execute(undefined as never);
    }).not.toThrow();
    await expect(pending).rejects.toThrow(new TypeError('Expected `fn` to be a function, got undefined.'));
    const result = await policy.executeResult({} as never);
    expect(result._unsafeUnwrapErr().cause).toEqual(new TypeError('Expected `fn` to be a function, got an object (Object).'));
    expect(events).toEqual([]);
  });

  test.each([
    ['plain', {}],
    ['hedged', { hedge: { delayMs: 10 } }],
  ])('%s: execute rejects a signal that is not one, naming it, before any attempt', async (_, options) => {
    const clock = createFakeClock();
    const policy = retry({ clock, ...options });
    const fn = flaky(['ok']);
    for (const [bad, got] of [
      [{}, 'an object (Object)'],
      ['stop', '"stop"'],
    ] as const) {
      let pending: Promise<unknown> | undefined;
      expect(() => {
        pending = policy.execute(fn, bad as never);
      }).not.toThrow();
      await expect(pending).rejects.toThrow(new TypeError(`Expected \`signal\` to be an AbortSignal or an execute context, got ${got}.`));
    }
    expect(fn.calls).toBe(0);
    expect(clock.pendingTimers).toBe(0);
    const controller = new AbortController();
    expect(await policy.execute(({ signal }) => signal.aborted, { signal: controller.signal, attempt: 3 })).toBe(false);
  });

  test('a timeout error from core is retried by default', async () => {
    const clock = createFakeClock();
    const fn = flaky([{ error: new TimeoutError(100) }, 'ok']);
    const call = retry({ clock, backoff: constantBackoff(0) }).execute(fn);
    await clock.runAllAsync();
    expect(await call).toBe('ok');
  });
});
