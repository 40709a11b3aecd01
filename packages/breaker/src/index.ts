export { circuitBreaker } from './circuit-breaker.js';
export type {
  BreakEvent,
  BreakReason,
  CircuitBreakerOptions,
  CircuitBreakerPolicy,
  CircuitEvent,
  CircuitRejectedEvent,
  CircuitStoreErrorEvent,
  HalfOpenBackoffContext,
  StateChangeEvent,
} from './circuit-breaker.js';
export type { CircuitState } from './circuit-state.js';
export type { CircuitSnapshot } from './circuit-snapshot.js';
export type {
  BreakerSpec,
  ConsecutiveBreakerSpec,
  CountWindowSpec,
  TimeWindowSpec,
  WindowThresholds,
} from './breaker-spec.js';
export { CircuitOpenError, isCircuitOpenError } from './circuit-open-error.js';
export { isCircuitFailure } from './is-circuit-failure.js';

export { circuitBreakerRegistry, dependencyKey } from './circuit-breaker-registry.js';
export type {
  BreakerCreatedEvent,
  BreakerDroppedEvent,
  CircuitBreakerRegistry,
  CircuitBreakerRegistryOptions,
  DependencyKey,
  RegistrySnapshot,
} from './circuit-breaker-registry.js';

export { redisCircuitStore } from './redis-circuit-store.js';
export type { RedisCircuitStore, RedisCircuitStoreOptions } from './redis-circuit-store.js';
export type { CircuitStore, SharedAcquire, SharedCircuit, SharedVote } from './circuit-store.js';
