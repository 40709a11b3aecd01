import type { BulwarkError, Policy } from '@bulwark/core';
import { ConsecutiveBreaker, ExponentialBackoff } from 'cockatiel';
import type { ResultAsync } from 'neverthrow';
import { expectTypeOf, test } from 'vitest';
import { circuitBreaker, circuitBreakerRegistry, type CircuitOpenError, type CircuitState, isCircuitOpenError } from './index.js';

test('types', () => {
  const breaker = circuitBreaker({ breaker: new ConsecutiveBreaker(3), halfOpenAfterMs: new ExponentialBackoff() });
  expectTypeOf(breaker).toExtend<Policy>();
  expectTypeOf(breaker.execute(() => 1)).toEqualTypeOf<Promise<number>>();
  expectTypeOf(breaker.executeResult(async () => 'x')).toEqualTypeOf<ResultAsync<string, BulwarkError>>();
  expectTypeOf(breaker.state).toEqualTypeOf<CircuitState>();
  const registry = circuitBreakerRegistry();
  expectTypeOf(registry.execute({ host: 'a' }, () => 1n)).toEqualTypeOf<Promise<bigint>>();
  const e: unknown = null;
  if (isCircuitOpenError(e)) expectTypeOf(e).toEqualTypeOf<CircuitOpenError>();
  // @ts-expect-error a spec needs its kind's required fields
  circuitBreaker({ breaker: { kind: 'count' } });
  // @ts-expect-error halfOpenAfterMs is milliseconds or a backoff
  circuitBreaker({ halfOpenAfterMs: '5s' });
});
