import { circuitBreaker, isCircuitOpenError } from '@bulwark/breaker';
import { createFakeClock, fallback, pipeline, timeout, type ExecuteContext, type FakeClock } from '@bulwark/core';
import { rateLimiter } from '@bulwark/ratelimit';
import { constantBackoff, isRetriesExhaustedError, retry } from '@bulwark/retry';
import { describe, expect, test } from 'vitest';
import { connectionReset } from './support.js';

/** An upstream answer of 429 that says when to come back, as an HTTP wrapper would raise it. */
function tooManyRequests(retryAfterMs: number): Error {
  return Object.assign(new Error('429 Too Many Requests'), { status: 429, retryAfterMs });
}

function unavailable(): Error {
  return Object.assign(new Error('503 Service Unavailable'), { status: 503 });
}

type Answer = { valid: boolean; offline?: boolean; reason?: string };

/** fallback → retry → breaker → rate limiter → timeout, outermost first, all on `clock`. */
function composed(clock: FakeClock) {
  const retryPolicy = retry({ name: 'upstream', maxAttempts: 4, backoff: constantBackoff(100), maxElapsedMs: 5_000, clock });
  const breaker = circuitBreaker({ name: 'upstream', breaker: { kind: 'consecutive', threshold: 3 }, halfOpenAfterMs: 10_000, clock });
  const limiter = rateLimiter({ name: 'upstream', key: 'api.example.com', limits: { limit: 20, windowMs: 1_000 }, maxWaitMs: 2_000, clock });
  const perAttempt = timeout(500, { name: 'upstream', clock });
  const offline = fallback<Answer>(
    (error) => ({ valid: false, offline: true, reason: isRetriesExhaustedError(error) ? error.reason : String((error as { code?: string }).code) }),
    { name: 'offline' },
  );
  const policy = pipeline(offline, retryPolicy, breaker, limiter, perAttempt);
  const retries: { attempt: number; delayMs: number; at: number }[] = [];
  retryPolicy.onRetry(({ attempt, delayMs }) => retries.push({ attempt, delayMs, at: clock.monotonic() }));
  return { policy, retryPolicy, breaker, limiter, perAttempt, offline, retries };
}

/** Runs `promise` to completion, moving fake time only as far as it must. */
async function settle<T>(clock: FakeClock, promise: Promise<T>): Promise<T> {
  let done = false;
  const tracked = promise.finally(() => {
    done = true;
  });
  tracked.catch(() => undefined);
  for (let i = 0; i < 1_000 && !done; i++) await clock.tickAsync(10);
  return tracked;
}

describe('pipeline(fallback, retry, circuitBreaker, rateLimiter, timeout) around a flaky upstream', () => {
  test('transient failures are retried and the answer comes back', async () => {
    const clock = createFakeClock();
    const { policy, retries } = composed(clock);
    const attempts: number[] = [];
    const answer = await settle(
      clock,
      policy.execute(async ({ attempt }: ExecuteContext) => {
        attempts.push(attempt);
        if (attempt < 3) throw connectionReset();
        return { valid: true };
      }),
    );
    expect(answer).toEqual({ valid: true });
    expect(attempts).toEqual([1, 2, 3]);
    expect(retries.map((r) => [r.attempt, r.delayMs])).toEqual([
      [1, 100],
      [2, 100],
    ]);
  });

  test('an attempt that hangs is cut by the timeout and retried', async () => {
    const clock = createFakeClock();
    const { policy, retries } = composed(clock);
    let calls = 0;
    const answer = await settle(
      clock,
      policy.execute(({ signal }) => {
        calls++;
        if (calls === 1) return new Promise<Answer>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
        return { valid: true };
      }),
    );
    expect(answer).toEqual({ valid: true });
    expect(calls).toBe(2);
    expect(retries[0]).toMatchObject({ attempt: 1, at: 500 });
  });

  test("a 429 with Retry-After makes the retry wait at least that long, past its own backoff", async () => {
    const clock = createFakeClock();
    const { policy, retries } = composed(clock);
    const calledAt: number[] = [];
    const answer = await settle(
      clock,
      policy.execute(async () => {
        calledAt.push(clock.monotonic());
        if (calledAt.length === 1) throw tooManyRequests(3_000);
        return { valid: true };
      }),
    );
    expect(answer).toEqual({ valid: true });
    expect(retries).toEqual([expect.objectContaining({ attempt: 1, delayMs: 3_000 })]);
    expect(calledAt[1]! - calledAt[0]!).toBeGreaterThanOrEqual(3_000);
  });

  test('a Retry-After beyond the deadline gives up at once and the fallback answers, without waiting', async () => {
    const clock = createFakeClock();
    const { policy } = composed(clock);
    let calls = 0;
    const answer = await settle(
      clock,
      policy.execute(async (): Promise<Answer> => {
        calls++;
        throw tooManyRequests(60_000);
      }),
    );
    expect(answer).toEqual({ valid: false, offline: true, reason: 'deadline' });
    expect(calls).toBe(1);
    expect(clock.monotonic()).toBeLessThan(1_000);
  });

  test('sustained failure opens the breaker; the fallback answers and the upstream is left alone', async () => {
    const clock = createFakeClock();
    const { policy, breaker } = composed(clock);
    const rejected: unknown[] = [];
    breaker.onRejected((event) => rejected.push(event));
    let calls = 0;
    const down = async (): Promise<Answer> => {
      calls++;
      throw unavailable();
    };
    // Attempts 1–3 fail and open the circuit; attempt 4 is refused by it; retrying gives up.
    expect(await settle(clock, policy.execute(down))).toEqual({ valid: false, offline: true, reason: 'max-attempts' });
    expect(calls).toBe(3);
    expect(breaker.state).toBe('open');
    // The next call meets the open circuit: its retryAfterMs crosses the retry's deadline, so the
    // retry gives up at once and the fallback answers without calling the upstream.
    const startedAt = clock.monotonic();
    expect(await settle(clock, policy.execute(down))).toEqual({ valid: false, offline: true, reason: 'deadline' });
    expect(calls).toBe(3);
    expect(clock.monotonic() - startedAt).toBeLessThan(100);
    expect(rejected.length).toBe(2);
    // After the break, one probe that succeeds closes the circuit again.
    await clock.tickAsync(10_000);
    expect(await settle(clock, policy.execute(async () => ({ valid: true })))).toEqual({ valid: true });
    expect(breaker.state).toBe('closed');
  });

  test('an open circuit is not retried before its retryAfterMs when the deadline allows the wait', async () => {
    const clock = createFakeClock();
    const retryPolicy = retry({ name: 'patient', maxAttempts: 3, backoff: constantBackoff(10), clock });
    const breaker = circuitBreaker({ name: 'patient', breaker: { kind: 'consecutive', threshold: 1 }, halfOpenAfterMs: 2_000, clock });
    const policy = pipeline(retryPolicy, breaker);
    const calledAt: number[] = [];
    const errors: unknown[] = [];
    retryPolicy.onRetry(({ error }) => errors.push(error));
    const answer = await settle(
      clock,
      policy.execute(async () => {
        calledAt.push(clock.monotonic());
        if (calledAt.length === 1) throw unavailable();
        return 'ok';
      }),
    );
    expect(answer).toBe('ok');
    // Attempt 2 met the open circuit (not the upstream); attempt 3 waited out the break.
    expect(isCircuitOpenError(errors[1])).toBe(true);
    expect(calledAt[1]! - calledAt[0]!).toBeGreaterThanOrEqual(2_000);
  });

  test("a 429 observed by the limiter and raised to the retry is waited out once, not twice", async () => {
    const clock = createFakeClock();
    const { policy, limiter } = composed(clock);
    const hints: unknown[] = [];
    limiter.onServerHint((e) => hints.push(e));
    const calledAt: number[] = [];
    const answer = await settle(
      clock,
      policy.execute(async () => {
        calledAt.push(clock.monotonic());
        if (calledAt.length === 1) {
          // What an HTTP wrapper does with the response: tell the limiter, raise the hint.
          const { holdMs } = await limiter.observe('api.example.com', { status: 429, headers: { 'Retry-After': '2' } });
          throw tooManyRequests(holdMs);
        }
        return { valid: true };
      }),
    );
    expect(answer).toEqual({ valid: true });
    expect(hints).toEqual([expect.objectContaining({ key: 'api.example.com', holdMs: 2_000 })]);
    // The retry waits 2 s; by then the limiter's hold is over too, so the call goes at once.
    expect(calledAt[1]! - calledAt[0]!).toBeGreaterThanOrEqual(2_000);
    expect(calledAt[1]! - calledAt[0]!).toBeLessThan(2_100);
  });

  test('a call the limiter cannot admit within maxWaitMs is refused with retryAfterMs, which the retry honours', async () => {
    const clock = createFakeClock();
    const { policy, limiter, retries } = composed(clock);
    await limiter.observe('api.example.com', { status: 429, headers: { 'Retry-After': '3' } });
    let calls = 0;
    const answer = await settle(
      clock,
      policy.execute(async () => {
        calls++;
        return { valid: true };
      }),
    );
    expect(answer).toEqual({ valid: true });
    expect(calls).toBe(1);
    // The limiter refused the first attempt at once (3 s > its maxWaitMs of 2 s); the retry waited it out.
    expect(retries).toEqual([expect.objectContaining({ attempt: 1, delayMs: 3_000 })]);
  });

  describe("the caller's abort stops everything at once", () => {
    test('during an attempt in flight: rejects with the reason, no fallback, no retry, the attempt is aborted', async () => {
      const clock = createFakeClock();
      const { policy, offline, perAttempt } = composed(clock);
      const timeouts: unknown[] = [];
      perAttempt.onTimeout((e) => timeouts.push(e));
      const fellBack: unknown[] = [];
      offline.onFallback((e) => fellBack.push(e));
      const controller = new AbortController();
      let calls = 0;
      let attemptSignal: AbortSignal | undefined;
      const call = policy.execute(({ signal }) => {
        calls++;
        attemptSignal = signal;
        return new Promise<Answer>(() => {});
      }, controller.signal);
      const outcome = call.then(
        () => 'resolved',
        (error: unknown) => error,
      );
      await clock.tickAsync(100);
      const reason = new Error('the user went away');
      controller.abort(reason);
      await clock.flush();
      expect(await outcome).toBe(reason);
      expect(attemptSignal?.aborted).toBe(true);
      expect(fellBack).toEqual([]);
      // What may remain is the timeout's one shared timer (unref'd; by design it stays armed until
      // its deadline rather than being re-aimed on every call that leaves). It fires into an empty
      // deadline list: no timeout event, no call, and nothing is re-armed.
      expect(clock.pendingTimers).toBeLessThanOrEqual(1);
      expect(await clock.runAllAsync()).toBeLessThanOrEqual(1);
      expect(timeouts).toEqual([]);
      expect(calls).toBe(1);
      expect(clock.pendingTimers).toBe(0);
    });

    test('during a retry wait', async () => {
      const clock = createFakeClock();
      const { policy } = composed(clock);
      const controller = new AbortController();
      let calls = 0;
      const call = policy.execute(async (): Promise<Answer> => {
        calls++;
        throw tooManyRequests(3_000);
      }, controller.signal);
      const outcome = call.then(
        () => 'resolved',
        (error: unknown) => error,
      );
      await clock.tickAsync(1_000);
      controller.abort();
      await clock.flush();
      expect((await outcome) as Error).toMatchObject({ name: 'AbortError' });
      expect(clock.pendingTimers).toBe(0); // the retry's wait is cleared, and so is the idle timeout timer by now
      expect(await clock.runAllAsync()).toBe(0);
      expect(calls).toBe(1);
      expect(clock.pendingTimers).toBe(0);
    });

    test('while queued by the rate limiter', async () => {
      const clock = createFakeClock();
      const { limiter, policy } = composed(clock);
      for (let i = 0; i < 20; i++) await limiter.tryAcquire('api.example.com');
      const controller = new AbortController();
      let calls = 0;
      const call = policy.execute(async () => {
        calls++;
        return { valid: true };
      }, controller.signal);
      const outcome = call.then(
        () => 'resolved',
        (error: unknown) => error,
      );
      await clock.tickAsync(10);
      expect(limiter.queued).toBe(1);
      controller.abort();
      await clock.flush();
      expect((await outcome) as Error).toMatchObject({ name: 'AbortError' });
      expect(limiter.queued).toBe(0);
      expect(clock.pendingTimers).toBe(0); // the queue's wake-up and deadline timers are cleared
      expect(await clock.runAllAsync()).toBe(0);
      expect(calls).toBe(0);
      expect(clock.pendingTimers).toBe(0);
    });
  });

  test('an upstream that always hangs: each attempt times out, the timeouts open the breaker, the fallback answers', async () => {
    const clock = createFakeClock();
    const { policy, breaker } = composed(clock);
    let calls = 0;
    const answer = await settle(
      clock,
      policy.execute(() => {
        calls++;
        return new Promise<Answer>(() => {});
      }),
    );
    expect(answer).toEqual({ valid: false, offline: true, reason: 'max-attempts' });
    // Three attempts of 500 ms and three waits of 100 ms; the fourth attempt met the open circuit.
    expect(calls).toBe(3);
    expect(breaker.state).toBe('open');
    expect(clock.monotonic()).toBe(3 * 500 + 3 * 100);
  });
});
