import { describe, expect, test } from 'vitest';
import { CallContext, bulkhead, chaos, expectAbortSource, fallback, isOperationFailedError, pipeline, timeout, type Policy } from './index.js';

const policies: Record<string, () => Policy<unknown>> = {
  timeout: () => timeout(1_000),
  bulkhead: () => bulkhead({ limit: 1 }),
  fallback: () => fallback('x'),
  chaos: () => chaos({}),
  pipeline: () => pipeline(fallback('x'), timeout(1_000)),
};

describe('execute(fn) with a fn that is not a function', () => {
  for (const [kind, make] of Object.entries(policies)) {
    test(`${kind}: execute rejects (never throws) with a TypeError naming fn; executeResult is an Err`, async () => {
      const policy = make();
      let pending: Promise<unknown> | undefined;
      expect(() => {
        pending = policy.execute(undefined as never);
      }).not.toThrow();
      await expect(pending).rejects.toThrow(new TypeError('Expected `fn` to be a function, got undefined.'));
      const result = await policy.executeResult('later' as never);
      expect(result.isErr()).toBe(true);
      const error = result._unsafeUnwrapErr();
      expect(isOperationFailedError(error)).toBe(true);
      expect((error.cause as Error).message).toBe('Expected `fn` to be a function, got "later".');
    });
  }

  test('a bulkhead refused fn takes no slot', async () => {
    const policy = bulkhead({ limit: 1 });
    await policy.execute(null as never).catch(() => {});
    expect(policy.executing).toBe(0);
    await expect(policy.execute(() => 'ran')).resolves.toBe('ran');
  });
});

describe('execute(fn, signal) with a signal that is not one', () => {
  for (const [kind, make] of Object.entries(policies)) {
    test(`${kind}: execute rejects (never throws) with a TypeError naming signal, before fn runs`, async () => {
      const policy = make();
      let ran = false;
      const fn = ({ signal }: { signal: AbortSignal }) => ((ran = true), signal.aborted);
      for (const [bad, got] of [
        [{}, 'an object (Object)'],
        [5, '5'],
        [null, 'null'],
        [{ signal: 'x', attempt: 1 }, 'an object (Object)'],
      ] as const) {
        let pending: Promise<unknown> | undefined;
        expect(() => {
          pending = policy.execute(fn, bad as never);
        }).not.toThrow();
        await expect(pending).rejects.toThrow(new TypeError(`Expected \`signal\` to be an AbortSignal or an execute context, got ${got}.`));
      }
      expect(ran).toBe(false);
      const result = await policy.executeResult(fn, {} as never);
      expect((result._unsafeUnwrapErr().cause as Error).message).toMatch(/^Expected `signal` to be an AbortSignal or an execute context/);
    });

    test(`${kind}: an AbortSignal, a context or a plain { signal, attempt } is still taken`, async () => {
      const policy = make();
      const controller = new AbortController();
      await expect(policy.execute(({ signal }) => signal.aborted, controller.signal)).resolves.toBe(false);
      await expect(policy.execute(({ signal }) => signal.aborted, new CallContext())).resolves.toBe(false);
      await expect(policy.execute(({ attempt }) => attempt, { signal: controller.signal, attempt: 2 })).resolves.toBe(2);
    });
  }

  test('CallContext, which every policy builds on, refuses one when made', () => {
    expect(() => new CallContext('abort' as never)).toThrow(
      new TypeError('Expected `signal` to be an AbortSignal or an execute context, got "abort".'),
    );
    expect(() => expectAbortSource('options.signal', { aborted: false })).toThrow(
      new TypeError('Expected `options.signal` to be an AbortSignal or an execute context, got an object (Object).'),
    );
    expect(() => expectAbortSource('signal', undefined)).not.toThrow();
  });
});
