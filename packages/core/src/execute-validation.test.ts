import { describe, expect, test } from 'vitest';
import { bulkhead, chaos, fallback, isOperationFailedError, pipeline, timeout, type Policy } from './index.js';

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
