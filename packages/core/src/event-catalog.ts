import type { EventPayloads } from './event-payloads.js';

/** How much an event matters to someone watching a service: the level logging writes it at. */
export type EventSeverity = 'debug' | 'info' | 'warn' | 'error';

/** The name of an event of the toolkit: a key of {@link EVENT_CATALOG}. */
export type EventName = keyof EventPayloads;

/** One entry of {@link EVENT_CATALOG}. */
export interface EventDescription {
  /** What happened, in one lower-case sentence without a full stop; logging writes it as the message. */
  readonly meaning: string;
  /** How much it matters. */
  readonly severity: EventSeverity;
  /** The factories whose primitives emit it (`'retry'`, `'circuitBreaker'`, …). */
  readonly emitters: readonly string[];
}

/**
 * Every event of every Bulwark package: its name (`on` + what happened), meaning, severity and the
 * primitives that emit it. One name means one thing across the toolkit: `onRejected` is a call
 * refused without running, whoever refused it; `onStoreError` is the shared store failing, whatever
 * the store. Logging and telemetry read this catalog, and the payload of each event carries at
 * least the fields of {@link EventPayloads} under its name.
 *
 * @example
 * ```ts
 * EVENT_CATALOG.onRejected.severity; // 'warn'
 * EVENT_CATALOG.onRejected.emitters; // ['bulkhead', 'circuitBreaker', 'rateLimiter']
 * ```
 */
export const EVENT_CATALOG = Object.freeze({
  // core
  onTimeout: { meaning: 'call timed out', severity: 'warn', emitters: ['timeout'] },
  onRejected: { meaning: 'call refused without running', severity: 'warn', emitters: ['bulkhead', 'circuitBreaker', 'rateLimiter'] },
  onFallback: { meaning: 'fallback answered for a failed call', severity: 'warn', emitters: ['fallback'] },
  onChaos: { meaning: 'chaos injected a fault or a delay', severity: 'debug', emitters: ['chaos'] },
  // retry
  onRetry: { meaning: 'retrying after a failed attempt', severity: 'warn', emitters: ['retry'] },
  onGiveUp: { meaning: 'gave up retrying', severity: 'error', emitters: ['retry'] },
  onSuccess: { meaning: 'call succeeded', severity: 'debug', emitters: ['retry'] },
  onHedge: { meaning: 'hedged attempt started', severity: 'debug', emitters: ['retry'] },
  // breaker
  onBreak: { meaning: 'circuit opened', severity: 'error', emitters: ['circuitBreaker'] },
  onReset: { meaning: 'circuit closed', severity: 'info', emitters: ['circuitBreaker'] },
  onHalfOpen: { meaning: 'circuit half-open, letting probes through', severity: 'info', emitters: ['circuitBreaker'] },
  onStateChange: { meaning: 'circuit state changed', severity: 'info', emitters: ['circuitBreaker'] },
  onBreakerCreated: { meaning: 'breaker made for a new dependency', severity: 'debug', emitters: ['circuitBreakerRegistry'] },
  onBreakerDropped: { meaning: 'breaker dropped to keep the registry within maxEntries', severity: 'info', emitters: ['circuitBreakerRegistry'] },
  // shared stores
  onStoreError: { meaning: 'shared store failed, decided locally', severity: 'warn', emitters: ['cache', 'circuitBreaker', 'rateLimiter'] },
  // ratelimit
  onServerHint: { meaning: 'rate-limit hint from the server', severity: 'info', emitters: ['rateLimiter'] },
  onLimitChange: { meaning: 'limit learned from the server changed', severity: 'info', emitters: ['rateLimiter'] },
  // cache
  onHit: { meaning: 'cache hit', severity: 'debug', emitters: ['cache'] },
  onMiss: { meaning: 'cache miss', severity: 'debug', emitters: ['cache'] },
  onStale: { meaning: 'served a stale cache entry', severity: 'info', emitters: ['cache'] },
  onRefresh: { meaning: 'cache entry refreshing in the background', severity: 'debug', emitters: ['cache'] },
  onLoaderError: { meaning: 'cache loader failed', severity: 'warn', emitters: ['cache'] },
  onEvict: { meaning: 'cache entry left memory', severity: 'debug', emitters: ['cache'] },
  // secrets
  onRotated: { meaning: 'secret rotated', severity: 'info', emitters: ['secretManager'] },
  onAudit: { meaning: 'secret audit', severity: 'info', emitters: ['secretManager'] },
  onRefreshFailed: { meaning: 'secret refresh failed, serving the last good value', severity: 'error', emitters: ['secretManager'] },
  onChange: { meaning: 'secret changed at its source', severity: 'info', emitters: ['memoryProvider', 'directoryProvider', 'chainProviders'] },
  // telemetry
  onAnomaly: { meaning: 'anomaly detected', severity: 'warn', emitters: ['ewmaDetector', 'anomalyDetector'] },
  onAlert: { meaning: 'burn-rate alert firing', severity: 'error', emitters: ['burnRateAlerts'] },
  onResolve: { meaning: 'burn-rate alert resolved', severity: 'info', emitters: ['burnRateAlerts'] },
  // http
  onResponse: { meaning: 'response received', severity: 'debug', emitters: ['httpClient'] },
  onAuthRefresh: { meaning: 'credential refresh asked for after a 401', severity: 'info', emitters: ['httpClient'] },
} as const satisfies { readonly [K in EventName]: EventDescription });

/** The names of {@link EVENT_CATALOG}, in its order. */
export const EVENT_NAMES: readonly EventName[] = Object.freeze(Object.keys(EVENT_CATALOG) as EventName[]);

/** Whether `name` is the name of an event in {@link EVENT_CATALOG}. */
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(EVENT_CATALOG, name);
}
