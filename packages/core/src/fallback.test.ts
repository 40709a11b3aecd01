import { describe, expect, expectTypeOf, test } from 'vitest';
import { createFakeClock, fallback, isTimeoutError, pipeline, timeout } from './index.js';

describe('fallback', () => {
  test('refuses a missing argument, which would answer every failure with undefined', async () => {
    expect(() => (fallback as () => unknown)()).toThrow(
      new TypeError(
        'Expected `valueOrFunction` to be the value to answer a failure with, or a function of the error that makes it, got no argument (write `fallback(undefined)` to answer with undefined).',
      ),
    );
    // Written out, undefined is a choice.
    await expect(fallback(undefined).execute(() => Promise.reject(new Error('down')))).resolves.toBeUndefined();
  });

  test('passes a successful value through', async () => {
    await expect(fallback('spare').execute(() => 'real')).resolves.toBe('real');
  });

  test('answers a failure with the value', async () => {
    await expect(fallback('spare').execute(() => Promise.reject(new Error('down')))).resolves.toBe('spare');
  });

  test('answers with what a function of the error returns', async () => {
    const policy = fallback((error: unknown) => `recovered from ${(error as Error).message}`);
    await expect(policy.execute(() => Promise.reject(new Error('down')))).resolves.toBe('recovered from down');
  });

  test('rethrows errors that `when` does not accept', async () => {
    const policy = fallback(0, { when: isTimeoutError });
    const boom = new Error('boom');
    await expect(policy.execute(() => Promise.reject(boom))).rejects.toBe(boom);
  });

  test("never covers the caller's own abort", async () => {
    const controller = new AbortController();
    const policy = fallback('spare');
    const call = policy.execute(
      ({ signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
      controller.signal,
    );
    const reason = new Error('caller left');
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
  });

  test('emits onFallback with the error', async () => {
    const policy = fallback(null);
    const errors: unknown[] = [];
    const names: string[] = [];
    policy.onFallback(({ name, error }) => {
      errors.push(error);
      names.push(name);
    });
    const boom = new Error('boom');
    await policy.execute(() => Promise.reject(boom));
    expect(errors).toEqual([boom]);
    expect(names).toEqual(['fallback']);
  });

  test('covers a timeout inside it, and its type includes the fallback', async () => {
    const clock = createFakeClock();
    const policy = pipeline(fallback('offline' as const), timeout(10, { clock }));
    const call = policy.execute(async () => 42);
    expectTypeOf(call).toEqualTypeOf<Promise<number | 'offline'>>();
    await expect(call).resolves.toBe(42);
    const slow = policy.execute(() => new Promise<number>(() => {}));
    await clock.tickAsync(10);
    await expect(slow).resolves.toBe('offline');
  });

  test('validates `when`', () => {
    expect(() => fallback(1, { when: 'timeouts' as never })).toThrow('Expected `when` to be a function, got "timeouts".');
  });
});
