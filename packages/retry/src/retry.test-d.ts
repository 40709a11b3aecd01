import { pipeline, timeout, type BulwarkError, type Policy } from '@bulwark/core';
import type { ResultAsync } from 'neverthrow';
import { expectTypeOf, test } from 'vitest';
import { retry, type RetryPolicy } from './index.js';

test('a retry policy is a Policy that adds no alternative result', () => {
  const policy = retry();
  expectTypeOf(policy).toExtend<Policy>();
  expectTypeOf(policy.execute(() => 1)).toEqualTypeOf<Promise<number>>();
  expectTypeOf(policy.executeResult(async () => 'x')).toEqualTypeOf<ResultAsync<string, BulwarkError>>();
  expectTypeOf(pipeline(policy, timeout(100))).toExtend<Policy<unknown>>();
  expectTypeOf(policy.onRetry).parameter(0).parameter(0).toEqualTypeOf<{
    readonly attempt: number;
    readonly delayMs: number;
    readonly error: unknown;
    readonly name: string;
  }>();
  expectTypeOf<RetryPolicy['maxAttempts']>().toEqualTypeOf<number>();
});
