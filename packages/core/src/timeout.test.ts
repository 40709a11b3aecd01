import { getEventListeners } from 'node:events';
import { describe, expect, test } from 'vitest';
import { TimeoutError, createFakeClock, isTimeoutError, pipeline, timeout } from './index.js';

const never = (): Promise<never> => new Promise(() => {});

describe('timeout, aggressive (default)', () => {
  test('returns the value of a call that finishes in time', async () => {
    const clock = createFakeClock();
    const policy = timeout(100, { clock });
    const call = policy.execute(async () => 'done');
    await expect(call).resolves.toBe('done');
  });

  test('rejects with TimeoutError the moment the limit passes, and aborts the signal with it', async () => {
    const clock = createFakeClock();
    const policy = timeout(100, { clock });
    let seen: AbortSignal | undefined;
    const call = policy.execute(({ signal }) => {
      seen = signal;
      return never();
    });
    const settled = expect(call).rejects.toSatisfy((e: unknown) => isTimeoutError(e) && e.timeoutMs === 100);
    await clock.tickAsync(99);
    expect(seen!.aborted).toBe(false);
    await clock.tickAsync(1);
    await settled;
    expect(seen!.aborted).toBe(true);
    expect(seen!.reason).toBeInstanceOf(TimeoutError);
  });

  test('ignores what the function does after it timed out, and leaves no unhandled rejection', async () => {
    const clock = createFakeClock();
    const policy = timeout(10, { clock });
    let fail!: (e: Error) => void;
    const call = policy.execute(() => new Promise((_, reject) => (fail = reject)));
    const outcome = expect(call).rejects.toBeInstanceOf(TimeoutError);
    await clock.tickAsync(10);
    await outcome;
    fail(new Error('late'));
    await clock.flush();
  });

  test('serves every concurrent call with one timer', async () => {
    const clock = createFakeClock();
    const policy = timeout(50, { clock });
    const calls = Array.from({ length: 100 }, () => policy.execute(never).catch((e: unknown) => e));
    expect(clock.pendingTimers).toBe(1);
    await clock.tickAsync(50);
    const results = await Promise.all(calls);
    expect(results.every((r) => r instanceof TimeoutError)).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });

  test('times each call from its own start, not the first call', async () => {
    const clock = createFakeClock();
    const policy = timeout(100, { clock });
    const first = policy.execute(never);
    const firstOutcome = expect(first).rejects.toBeInstanceOf(TimeoutError);
    await clock.tickAsync(60);
    let secondDone = false;
    const second = policy.execute(never).catch((e: unknown) => {
      secondDone = true;
      throw e;
    });
    const secondOutcome = expect(second).rejects.toBeInstanceOf(TimeoutError);
    await clock.tickAsync(40);
    await firstOutcome;
    expect(secondDone).toBe(false);
    await clock.tickAsync(59);
    expect(secondDone).toBe(false);
    await clock.tickAsync(1);
    await secondOutcome;
  });

  test('a finished call no longer counts, and no timer is left once everything settled', async () => {
    const clock = createFakeClock();
    const policy = timeout(100, { clock });
    await policy.execute(async () => 1);
    await clock.tickAsync(100);
    expect(clock.pendingTimers).toBe(0);
  });

  test('passes synchronous values and synchronous throws through', async () => {
    const policy = timeout(100, { clock: createFakeClock() });
    await expect(policy.execute(() => 7)).resolves.toBe(7);
    const boom = new Error('boom');
    await expect(
      policy.execute(() => {
        throw boom;
      }),
    ).rejects.toBe(boom);
  });

  test("rejects with the caller's abort reason at once and removes its listener", async () => {
    const clock = createFakeClock();
    const policy = timeout(1_000, { clock });
    const controller = new AbortController();
    let inner: AbortSignal | undefined;
    const call = policy.execute(({ signal }) => {
      inner = signal;
      return never();
    }, controller.signal);
    expect(getEventListeners(controller.signal, 'abort').length).toBeGreaterThan(0);
    const reason = new Error('user cancelled');
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
    expect(inner!.aborted).toBe(true);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  test('a long-lived caller signal collects no listeners across many calls', async () => {
    const policy = timeout(1_000, { clock: createFakeClock() });
    const controller = new AbortController();
    for (let i = 0; i < 50; i++) await policy.execute(({ signal }) => Promise.resolve(signal.aborted), controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  test('a synchronous function that read the signal leaves no listener behind', async () => {
    const policy = timeout(100, { clock: createFakeClock() });
    const controller = new AbortController();
    await policy.execute(({ signal }) => signal.aborted, controller.signal);
    await policy
      .execute(({ signal }) => {
        throw new Error(String(signal.aborted));
      }, controller.signal)
      .catch(() => {});
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  test('rejects at once when the signal is already aborted, without calling the function', async () => {
    const policy = timeout(100, { clock: createFakeClock() });
    let called = false;
    const reason = new Error('already');
    await expect(
      policy.execute(() => {
        called = true;
        return 1;
      }, AbortSignal.abort(reason)),
    ).rejects.toBe(reason);
    expect(called).toBe(false);
  });

  test('emits onTimeout for each expired call', async () => {
    const clock = createFakeClock();
    const policy = timeout(5, { clock });
    const events: number[] = [];
    const names: string[] = [];
    const sub = policy.onTimeout(({ name, timeoutMs }) => {
      events.push(timeoutMs);
      names.push(name);
    });
    const calls = [policy.execute(never).catch(() => {}), policy.execute(never).catch(() => {})];
    await clock.tickAsync(5);
    await Promise.all(calls);
    expect(events).toEqual([5, 5]);
    expect(names).toEqual(['timeout', 'timeout']);
    sub.dispose();
  });
});

describe('timeout, cooperative', () => {
  test("aborts the signal and waits for the function; its rejection becomes TimeoutError with it as cause", async () => {
    const clock = createFakeClock();
    const policy = timeout(20, { clock, strategy: 'cooperative' });
    let cleanedUp = false;
    const call = policy.execute(
      ({ signal }) =>
        new Promise((_, reject) => {
          signal.addEventListener('abort', () => {
            cleanedUp = true;
            reject(new Error('stopped'));
          });
        }),
    );
    const check = expect(call).rejects.toSatisfy(
      (e: unknown) => isTimeoutError(e) && (e.cause as Error).message === 'stopped',
    );
    await clock.tickAsync(20);
    await check;
    expect(cleanedUp).toBe(true);
  });

  test('returns the value when the function finishes anyway', async () => {
    const clock = createFakeClock();
    const policy = timeout(20, { clock, strategy: 'cooperative' });
    let finish!: (v: string) => void;
    const call = policy.execute(() => new Promise<string>((resolve) => (finish = resolve)));
    await clock.tickAsync(20);
    finish('late but complete');
    await expect(call).resolves.toBe('late but complete');
  });

  test("passes the function's own errors through untouched when it did not time out", async () => {
    const policy = timeout(20, { clock: createFakeClock(), strategy: 'cooperative' });
    const boom = new Error('boom');
    await expect(policy.execute(() => Promise.reject(boom))).rejects.toBe(boom);
  });
});

describe('timeout inside a pipeline', () => {
  test("an outer timeout aborts the inner function's signal", async () => {
    const clock = createFakeClock();
    const policy = pipeline(timeout(10, { clock }), timeout(1_000, { clock }));
    let inner: AbortSignal | undefined;
    const call = policy.execute(({ signal }) => {
      inner = signal;
      return never();
    });
    const outcome = expect(call).rejects.toSatisfy((e: unknown) => isTimeoutError(e) && e.timeoutMs === 10);
    await clock.tickAsync(10);
    await outcome;
    expect(inner!.aborted).toBe(true);
    expect((inner!.reason as TimeoutError).timeoutMs).toBe(10);
  });
});

describe('timeout options', () => {
  test.each([0, -1, Number.NaN, Infinity, '100'])('rejects timeoutMs %s', (ms) => {
    expect(() => timeout(ms as number)).toThrow(TypeError);
    expect(() => timeout(ms as number)).toThrow(/^Expected `timeoutMs` to be a positive number, got /);
  });

  test('takes a limit longer than a platform timer holds (the clock waits it out in stretches)', () => {
    expect(timeout(2 ** 31).timeoutMs).toBe(2 ** 31);
  });

  test('rejects an unknown strategy, naming it', () => {
    expect(() => timeout(10, { strategy: 'polite' as 'aggressive' })).toThrow(
      'Expected `strategy` to be one of "aggressive", "cooperative", got "polite".',
    );
  });

  test('rejects a clock that is not one', () => {
    expect(() => timeout(10, { clock: {} as never })).toThrow(/Expected `clock` to be a Clock/);
  });
});
