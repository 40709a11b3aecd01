// Declares Symbol.dispose for consumers whose `lib` lacks it (see the file); it holds no code.
import './dispose-symbols.js';

export type { AbortSource, ExecuteContext, Policy, PolicyFunction, alternativeResult, executeContext } from './policy.js';
export { CallContext, abortReason, expectAbortSource } from './call-context.js';
export { pipeline } from './pipeline.js';
export type { AltOf, ContextOf } from './pipeline.js';
export { toResult } from './to-result.js';

export { BulwarkError, isBulwarkError, errorGuard } from './bulwark-error.js';
export type { BulwarkErrorOptions } from './bulwark-error.js';
export { TimeoutError, isTimeoutError } from './timeout-error.js';
export { BulkheadFullError, isBulkheadFullError } from './bulkhead-full-error.js';
export { AbortedError, isAbortedError } from './aborted-error.js';
export { OperationFailedError, isOperationFailedError } from './operation-failed-error.js';
export { ChaosFaultError, isChaosFaultError } from './chaos-fault-error.js';
export { StoreUnavailableError, isStoreUnavailableError } from './store-unavailable-error.js';
export { toBulwarkError } from './to-bulwark-error.js';
export { describeError } from './describe-error.js';
export { isCredentialName, redactUrlUserInfo } from './url-credentials.js';
export { errorCode, isConnectFailure } from './error-code.js';

export { EventEmitter } from './event.js';
export type { Disposable, Event } from './event.js';
export { EVENT_CATALOG, EVENT_NAMES, isEventName } from './event-catalog.js';
export type { EventDescription, EventName, EventSeverity } from './event-catalog.js';
export type { EventPayload, EventPayloads, RejectedEvent, StoreErrorEvent } from './event-payloads.js';
export { eventsOf, subscribeEvent } from './events-of.js';

export { systemClock } from './clock.js';
export { MAX_DURATION_MS } from './max-duration.js';
export type { Clock, Timer, TimerOptions } from './clock.js';
export { createFakeClock } from './fake-clock.js';
export type { FakeClock, FakeClockOptions } from './fake-clock.js';
export { sleep } from './sleep.js';
export { DeadlineTimer } from './deadline-timer.js';
export type { SleepOptions } from './sleep.js';

export { mergeSignals } from './merge-signals.js';
export type { DisposableSignal } from './merge-signals.js';
export { timeoutSignal } from './timeout-signal.js';
export type { TimeoutSignalOptions } from './timeout-signal.js';

export { timeout } from './timeout.js';
export type { TimeoutEvent, TimeoutOptions, TimeoutPolicy, TimeoutStrategy } from './timeout.js';
export { bulkhead } from './bulkhead.js';
export type { BulkheadOptions, BulkheadPolicy, BulkheadRejectedEvent } from './bulkhead.js';
export { fallback } from './fallback.js';
export type { FallbackEvent, FallbackFunction, FallbackOptions, FallbackPolicy } from './fallback.js';
export { seededRandom } from './seeded-random.js';
export { chaos } from './chaos.js';
export type { ChaosEvent, ChaosOptions, ChaosPolicy } from './chaos.js';

export {
  describeValue,
  expectBoolean,
  expectClock,
  expectFunction,
  expectName,
  expectInteger,
  expectNumber,
  expectOneOf,
  expectOptions,
  invalidOption,
  invalidPolicy,
  invalidStore,
  knownOptions,
} from './validate.js';
export type { InvalidOptionOptions, KnownOptions, NumberBounds } from './validate.js';
export { quote } from './quote.js';

export { parseServerHints } from './server-hints.js';
export type {
  HeaderRecord,
  HeadersLike,
  ParseServerHintsOptions,
  RateLimitHint,
  RateLimitPolicyHint,
  ResponseLike,
  ServerHintSource,
  ServerHints,
  ServerHintsInput,
} from './server-hints.js';
export { DEFAULT_MAX_HINT_MS, parseRetryAfter } from './parse-retry-after.js';
export type { ParseRetryAfterOptions } from './parse-retry-after.js';
export { parseHttpDate } from './parse-http-date.js';

export { expectRedisClient, isRedisCluster, redisCommandView } from './redis-client.js';
export type { RedisClient, RedisScriptArguments } from './redis-client.js';
export { redisScript } from './redis-script.js';
export type { RedisScript } from './redis-script.js';
export { redisConnection } from './redis-connection.js';
export type { RedisConnection, RedisStoreOptions } from './redis-connection.js';
