import { EventEmitter, type Event, type EventName, type EventPayloads } from '@bulwark/core';

// Stand-ins for the feature packages' primitives, for tests of packages that subscribe to their
// events by name (logging, telemetry) and may not import them. Every event is typed by core's
// event contract (`EventPayloads`): a fake can emit only fields the real events carry, and the
// integration tests check the real primitives against the same contract.

/** One event of a fake source. `emit` takes the payload without `name`: the source's name is filled in. */
export class FakeEvent<K extends EventName> {
  readonly #emitter = new EventEmitter<EventPayloads[K]>();
  readonly #source: { readonly name: string };
  /** The subscribe side, what the source exposes as `onXxx`. */
  readonly event: Event<EventPayloads[K]> = this.#emitter.event;

  constructor(source: { readonly name: string }) {
    this.#source = source;
  }

  emit(payload: Omit<EventPayloads[K], 'name'>): void {
    this.#emitter.emit({ ...payload, name: this.#source.name } as EventPayloads[K]);
  }
}

/** A retry policy's events: `onRetry`, `onGiveUp`, `onSuccess`, `onHedge`. */
export function fakeRetry(name = 'upstream-retry') {
  const self = { name };
  const retry = new FakeEvent<'onRetry'>(self);
  const giveUp = new FakeEvent<'onGiveUp'>(self);
  const success = new FakeEvent<'onSuccess'>(self);
  const hedge = new FakeEvent<'onHedge'>(self);
  return Object.assign(self, {
    onRetry: retry.event,
    onGiveUp: giveUp.event,
    onSuccess: success.event,
    onHedge: hedge.event,
    retry,
    giveUp,
    success,
    hedge,
  });
}

/**
 * A circuit breaker's events and `state`; `moveTo(state)` emits what a real breaker would for the
 * transition, `reject()` a refused call, `storeFailed(error)` a failure of its store.
 */
export function fakeBreaker(name = 'upstream-breaker') {
  const self = { name, state: 'closed' };
  const stateChange = new FakeEvent<'onStateChange'>(self);
  const rejected = new FakeEvent<'onRejected'>(self);
  const brk = new FakeEvent<'onBreak'>(self);
  const reset = new FakeEvent<'onReset'>(self);
  const halfOpen = new FakeEvent<'onHalfOpen'>(self);
  const storeError = new FakeEvent<'onStoreError'>(self);
  return Object.assign(self, {
    onStateChange: stateChange.event,
    onRejected: rejected.event,
    onBreak: brk.event,
    onReset: reset.event,
    onHalfOpen: halfOpen.event,
    onStoreError: storeError.event,
    storeFailed(error: EventPayloads['onStoreError']['error'], operation = 'sync') {
      storeError.emit({ operation, error });
    },
    moveTo(to: string) {
      const from = self.state;
      self.state = to;
      stateChange.emit({ from, to });
      if (to === 'open') brk.emit({ reason: 'consecutive-failures', error: undefined, retryAfterMs: 1_000 });
      if (to === 'closed') reset.emit({});
      if (to === 'half-open') halfOpen.emit({});
    },
    reject(retryAfterMs = 1000) {
      rejected.emit({ reason: self.state, retryAfterMs });
    },
    stateChange,
    rejected,
    brk,
    reset,
    halfOpen,
    storeError,
  });
}

/** A rate limiter's events: `onRejected`, `onServerHint`, `onStoreError`, `onLimitChange`. */
export function fakeRateLimiter(name = 'upstream-limit') {
  const self = { name };
  const rejected = new FakeEvent<'onRejected'>(self);
  const hint = new FakeEvent<'onServerHint'>(self);
  const storeError = new FakeEvent<'onStoreError'>(self);
  const limitChange = new FakeEvent<'onLimitChange'>(self);
  return Object.assign(self, {
    onRejected: rejected.event,
    onServerHint: hint.event,
    onStoreError: storeError.event,
    onLimitChange: limitChange.event,
    rejected,
    hint,
    storeError,
    limitChange,
  });
}

/** A cache's events: hit, miss, stale, refresh, loader error, store error, evict. */
export function fakeCache(name = 'validation-cache') {
  const self = { name };
  const hit = new FakeEvent<'onHit'>(self);
  const miss = new FakeEvent<'onMiss'>(self);
  const stale = new FakeEvent<'onStale'>(self);
  const refresh = new FakeEvent<'onRefresh'>(self);
  const loaderError = new FakeEvent<'onLoaderError'>(self);
  const storeError = new FakeEvent<'onStoreError'>(self);
  const evict = new FakeEvent<'onEvict'>(self);
  return Object.assign(self, {
    onHit: hit.event,
    onMiss: miss.event,
    onStale: stale.event,
    onRefresh: refresh.event,
    onLoaderError: loaderError.event,
    onStoreError: storeError.event,
    onEvict: evict.event,
    hit,
    miss,
    stale,
    refresh,
    loaderError,
    storeError,
    evict,
  });
}

/** A secret manager's events: `onRotated`, `onAudit`, `onRefreshFailed`. */
export function fakeSecrets(name = 'env-secrets') {
  const self = { name };
  const rotated = new FakeEvent<'onRotated'>(self);
  const audit = new FakeEvent<'onAudit'>(self);
  const refreshFailed = new FakeEvent<'onRefreshFailed'>(self);
  return Object.assign(self, {
    onRotated: rotated.event,
    onAudit: audit.event,
    onRefreshFailed: refreshFailed.event,
    rotated,
    audit,
    refreshFailed,
  });
}

/** An HTTP client's events: `onResponse`, `onAuthRefresh`. */
export function fakeHttpClient(name = 'upstream-api') {
  const self = { name };
  const response = new FakeEvent<'onResponse'>(self);
  const authRefresh = new FakeEvent<'onAuthRefresh'>(self);
  return Object.assign(self, {
    onResponse: response.event,
    onAuthRefresh: authRefresh.event,
    response,
    authRefresh,
  });
}
