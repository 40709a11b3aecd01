import { EventEmitter } from '@bulwark/core';

// Stand-ins for the feature packages' policies, for tests of packages that subscribe to their events
// by name (logging, telemetry) and may not import them: the canonical events, emitted by hand, and
// the emitters themselves for tests that want to emit one event alone.

/** A retry policy's events: `onRetry`, `onGiveUp`, `onSuccess`. */
export function fakeRetry(name = 'upstream-retry') {
  const retry = new EventEmitter<{ attempt: number; delayMs: number; error: unknown }>();
  const giveUp = new EventEmitter<{ attempts: number; error: unknown; reason: string }>();
  const success = new EventEmitter<{ attempts: number }>();
  return { name, onRetry: retry.event, onGiveUp: giveUp.event, onSuccess: success.event, retry, giveUp, success };
}

/**
 * A circuit breaker's events and `state`; `moveTo(state)` emits what a real breaker would for the
 * transition, `reject()` a rejected call, `storeFailed(error)` a shared-state failure.
 */
export function fakeBreaker(name = 'upstream-breaker') {
  const stateChange = new EventEmitter<{ from: string; to: string }>();
  const rejected = new EventEmitter<{ state: string; retryAfterMs: number }>();
  const brk = new EventEmitter<{ error?: unknown }>();
  const reset = new EventEmitter<Record<string, never>>();
  const halfOpen = new EventEmitter<Record<string, never>>();
  const sharedStateError = new EventEmitter<{ operation: string; error: unknown }>();
  const self = {
    name,
    state: 'closed',
    onStateChange: stateChange.event,
    onCallRejected: rejected.event,
    onBreak: brk.event,
    onReset: reset.event,
    onHalfOpen: halfOpen.event,
    onSharedStateError: sharedStateError.event,
    storeFailed(error: unknown) {
      sharedStateError.emit({ operation: 'sync', error });
    },
    moveTo(to: string) {
      const from = self.state;
      self.state = to;
      stateChange.emit({ from, to });
      if (to === 'open') brk.emit({});
      if (to === 'closed') reset.emit({});
      if (to === 'half-open') halfOpen.emit({});
    },
    reject(retryAfterMs = 1000) {
      rejected.emit({ state: self.state, retryAfterMs });
    },
    stateChange,
    rejected,
    brk,
    reset,
    halfOpen,
    sharedStateError,
  };
  return self;
}

/** A rate limiter's events: `onRateLimited`, `onServerHint`, `onStoreFallback`. */
export function fakeRateLimiter(name = 'upstream-limit') {
  const limited = new EventEmitter<{ key: string; retryAfterMs: number; waited?: boolean }>();
  const hint = new EventEmitter<{ key: string; remaining: number; resetMs?: number }>();
  const storeFallback = new EventEmitter<{ error: unknown }>();
  return { name, onRateLimited: limited.event, onServerHint: hint.event, onStoreFallback: storeFallback.event, limited, hint, storeFallback };
}

/** A cache's events: hit, miss, stale, refresh, loader error, L2 error, evict. */
export function fakeCache(name = 'validation-cache') {
  const hit = new EventEmitter<{ key: string; tier: string }>();
  const miss = new EventEmitter<{ key: string }>();
  const stale = new EventEmitter<{ key: string; reason: string }>();
  const refresh = new EventEmitter<{ key: string }>();
  const loaderError = new EventEmitter<{ key: string; error: unknown }>();
  const l2Error = new EventEmitter<{ error: unknown }>();
  const evict = new EventEmitter<{ key: string }>();
  return {
    name,
    onHit: hit.event, onMiss: miss.event, onStale: stale.event, onRefresh: refresh.event,
    onLoaderError: loaderError.event, onL2Error: l2Error.event, onEvict: evict.event,
    hit, miss, stale, refresh, loaderError, l2Error, evict,
  };
}

/** A secret manager's events: `onRotated`, `onAudit`, `onRefreshFailed`. */
export function fakeSecrets(name = 'env-secrets') {
  const rotated = new EventEmitter<{ name: string; version: string }>();
  const audit = new EventEmitter<{ action: string; name: string; version: string; who: string; at: number }>();
  const refreshFailed = new EventEmitter<{ name: string; error: unknown }>();
  return { name, onRotated: rotated.event, onAudit: audit.event, onRefreshFailed: refreshFailed.event, rotated, audit, refreshFailed };
}
