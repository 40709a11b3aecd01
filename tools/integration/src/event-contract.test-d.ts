// Type test of the event contract: every `onXxx` of every primitive's public type is an event of
// core's catalog, and its payload carries at least the fields the catalog's contract names (so
// logging, telemetry and the test fakes, which read and write only those, read what is there).
import type { CircuitBreakerPolicy, CircuitBreakerRegistry } from '@bulwark/breaker';
import type { SealedCache } from '@bulwark/cache';
import type { BulkheadPolicy, ChaosPolicy, Event, EventName, EventPayloads, FallbackPolicy, TimeoutPolicy } from '@bulwark/core';
import type { RateLimiter } from '@bulwark/ratelimit';
import type { RetryPolicy } from '@bulwark/retry';
import type { DirectoryProvider, MemoryProvider, SecretManager, SecretProvider } from '@bulwark/secrets';
import type { AnomalyDetector, BurnRateAlerts, EwmaDetector } from '@bulwark/telemetry';

type OnKeys<T> = Extract<keyof T, `on${string}`>;

/** For each `onXxx` of T: `true` when it is a catalog event whose payload carries the contract's fields. */
type Conforms<T> = {
  [K in OnKeys<T>]-?: K extends EventName
    ? NonNullable<T[K]> extends Event<infer P>
      ? P extends EventPayloads[K]
        ? true
        : ['payload of', K, 'lacks a field of the contract']
      : ['not an Event:', K]
    : ['not in the catalog:', K];
};

type Check<T> = Conforms<T>[OnKeys<T>];

export const contract: {
  timeout: Check<TimeoutPolicy>;
  bulkhead: Check<BulkheadPolicy>;
  fallback: Check<FallbackPolicy<unknown>>;
  chaos: Check<ChaosPolicy>;
  retry: Check<RetryPolicy>;
  circuitBreaker: Check<CircuitBreakerPolicy>;
  circuitBreakerRegistry: Check<CircuitBreakerRegistry>;
  rateLimiter: Check<RateLimiter>;
  cache: Check<SealedCache>;
  secretManager: Check<SecretManager>;
  secretProvider: Check<SecretProvider>;
  memoryProvider: Check<MemoryProvider>;
  directoryProvider: Check<DirectoryProvider>;
  ewmaDetector: Check<EwmaDetector>;
  anomalyDetector: Check<AnomalyDetector>;
  burnRateAlerts: Check<BurnRateAlerts>;
} = {
  timeout: true,
  bulkhead: true,
  fallback: true,
  chaos: true,
  retry: true,
  circuitBreaker: true,
  circuitBreakerRegistry: true,
  rateLimiter: true,
  cache: true,
  secretManager: true,
  secretProvider: true,
  memoryProvider: true,
  directoryProvider: true,
  ewmaDetector: true,
  anomalyDetector: true,
  burnRateAlerts: true,
};
