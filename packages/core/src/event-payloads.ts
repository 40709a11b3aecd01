import type { BulwarkError } from './bulwark-error.js';

/**
 * What every Bulwark event payload carries: `name`, the name of the primitive that emitted it
 * (its `name` option, or its factory's name by default — `'retry'`, `'circuitBreaker'`, …). Never
 * empty. A payload that speaks of something else by name does so under another field (`secretName`,
 * `key`).
 */
export interface EventPayload {
  /** The emitting primitive's name. */
  readonly name: string;
}

/**
 * The payload of `onRejected`, whoever emits it (bulkhead, circuit breaker, rate limiter): a call
 * was refused without running.
 */
export interface RejectedEvent extends EventPayload {
  /**
   * Why, in the emitter's words: `full` (bulkhead); `open`, `half-open` or `isolated` (circuit
   * breaker); `denied`, `limit`, `timeout` or `queue-full` (rate limiter).
   */
  readonly reason: string;
  /** When the refused call could succeed, in milliseconds from now, when the emitter knows. */
  readonly retryAfterMs: number | undefined;
  /** The key the call was refused for, when the emitter limits by key (a rate limiter). */
  readonly key?: string | undefined;
}

/**
 * The payload of `onStoreError`, whoever emits it (cache, circuit breaker, rate limiter): the
 * shared store (Redis) failed or did not answer in time, and the primitive decided locally.
 */
export interface StoreErrorEvent extends EventPayload {
  /** What the store was asked to do (`decide`, `read`, `acquire`, …). */
  readonly operation: string;
  /** Why: a `StoreUnavailableError`, or an error of the emitter's own (a cache's `CacheIntegrityError`). */
  readonly error: BulwarkError;
}

/**
 * The contract of every event in the toolkit: for each event name of the catalog, the fields its
 * payload carries whichever primitive emits it. A primitive's payload may carry more; it never
 * carries less. Logging and telemetry read these fields and no others.
 */
export interface EventPayloads {
  // core
  readonly onTimeout: EventPayload & { readonly timeoutMs: number };
  readonly onRejected: RejectedEvent;
  readonly onFallback: EventPayload & { readonly error: unknown };
  readonly onChaos: EventPayload & { readonly kind: 'fault' | 'latency'; readonly delayMs?: number | undefined };
  // retry
  readonly onRetry: EventPayload & { readonly attempt: number; readonly delayMs: number; readonly error: unknown };
  readonly onGiveUp: EventPayload & { readonly attempts: number; readonly error: unknown; readonly reason: string };
  readonly onSuccess: EventPayload & { readonly attempts: number };
  readonly onHedge: EventPayload & { readonly attempt: number; readonly delayMs: number };
  // breaker
  readonly onBreak: EventPayload & { readonly reason: string; readonly error: unknown; readonly retryAfterMs: number | undefined };
  readonly onReset: EventPayload;
  readonly onHalfOpen: EventPayload;
  readonly onStateChange: EventPayload & { readonly from: string; readonly to: string };
  readonly onBreakerCreated: EventPayload & { readonly key: string };
  readonly onBreakerDropped: EventPayload & { readonly key: string; readonly state: string };
  // shared stores
  readonly onStoreError: StoreErrorEvent;
  // ratelimit
  readonly onServerHint: EventPayload & { readonly key: string; readonly status: number | undefined; readonly holdMs: number };
  readonly onLimitChange: EventPayload & { readonly key: string; readonly ratePerSecond: number | undefined; readonly reason: string };
  // cache
  readonly onHit: EventPayload & { readonly key: string; readonly tier: string };
  readonly onMiss: EventPayload & { readonly key: string };
  readonly onStale: EventPayload & { readonly key: string; readonly reason: string; readonly ageMs: number };
  readonly onRefresh: EventPayload & { readonly key: string; readonly reason: string };
  readonly onLoaderError: EventPayload & { readonly key: string; readonly error: unknown; readonly servedStale: boolean };
  readonly onEvict: EventPayload & { readonly key: string; readonly reason: string };
  // secrets
  readonly onRotated: EventPayload & { readonly secretName: string; readonly version: string; readonly previousVersion: string | undefined };
  readonly onAudit: EventPayload & {
    readonly secretName: string;
    readonly action: string;
    readonly version: string | undefined;
    readonly who: string;
    readonly at: number;
  };
  readonly onRefreshFailed: EventPayload & {
    readonly secretName: string;
    readonly error: BulwarkError;
    readonly version: string | undefined;
    readonly failures: number;
  };
  readonly onChange: EventPayload & { readonly secretName: string | undefined };
  // telemetry
  readonly onAnomaly: EventPayload & { readonly value: number; readonly mean: number; readonly direction: 'up' | 'down' };
  readonly onAlert: EventPayload & { readonly severity: string; readonly burnRateLong: number; readonly burnRateShort: number };
  readonly onResolve: EventPayload & { readonly severity: string; readonly burnRateLong: number; readonly burnRateShort: number };
  // http
  readonly onResponse: EventPayload & {
    readonly method: string;
    readonly url: string;
    readonly status: number;
    readonly attempt: number;
    readonly durationMs: number;
  };
  readonly onAuthRefresh: EventPayload & { readonly method: string; readonly url: string; readonly refreshed: boolean };
}
