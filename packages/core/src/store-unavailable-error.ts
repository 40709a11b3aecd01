import { BulwarkError, errorGuard } from './bulwark-error.js';
import { describeError } from './describe-error.js';
import { isTimeoutError } from './timeout-error.js';
import { expectName, expectOptions, invalidOption } from './validate.js';

/**
 * A shared store (Redis) did not answer: it was not connected, failed, or was too slow for its
 * deadline. Transient.
 *
 * The primitives that use a store never reject a caller with it where they can decide locally
 * (a rate limiter's fallback share, a breaker's local state, a cache's memory tier): they report
 * it through `onStoreError` and carry on. `store` names the store (`redisRateLimitStore`, …) and
 * `operation` what it was asked to do.
 *
 * @example
 * ```ts
 * declare const limiter: { readonly onStoreError: Event<StoreErrorEvent> }; // a rate limiter, a cache, a breaker
 * declare const metrics: { count(name: string, tags: Record<string, string>): void };
 * limiter.onStoreError(({ error }) => {
 *   if (isStoreUnavailableError(error)) metrics.count('store.down', { op: error.operation });
 * });
 * ```
 */
export class StoreUnavailableError extends BulwarkError {
  readonly code = 'STORE_UNAVAILABLE' as const;
  /** The store that failed, by its factory's name (`redisCacheStore`, `redisCircuitStore`, `redisRateLimitStore`). */
  readonly store: string;
  /** What the store was asked to do (`decide`, `read`, `acquire`, …). */
  readonly operation: string;

  constructor(store: string, operation: string, reason: string, options: { readonly cause?: unknown } = {}) {
    expectName(store, 'store');
    expectName(operation, 'operation');
    if (typeof reason !== 'string') throw invalidOption('reason', reason, 'a string saying why');
    expectOptions('options', options);
    super(`The store (${store}) could not ${operation}: ${reason}.`, { transient: true, cause: options.cause });
    this.store = store;
    this.operation = operation;
  }

  /**
   * `error` as a store failure: itself when it is a `StoreUnavailableError` already; a core
   * `TimeoutError` as "did not answer within N ms"; anything else wrapped, with it as the `cause`.
   * The message names the original by its name and `code` (see {@link describeError}), and a Redis
   * error reply by its kind (`READONLY`), never by its message: a driver's message may quote a key,
   * an argument or a URL with a password.
   * For stores and the primitives that report a store's failures.
   */
  static from(store: string, operation: string, error: unknown): StoreUnavailableError {
    expectName(store, 'store');
    expectName(operation, 'operation');
    if (isStoreUnavailableError(error)) return error;
    if (isTimeoutError(error) && Number.isFinite(error.timeoutMs)) {
      return new StoreUnavailableError(store, operation, `Redis did not answer within ${error.timeoutMs} ms`);
    }
    const kind = replyKind(error);
    return new StoreUnavailableError(store, operation, `the call failed with ${describeError(error)}${kind === undefined ? '' : ` ${kind}`}`, {
      cause: error,
    });
  }
}

/** The word a Redis error reply starts with (`READONLY`, `WRONGTYPE`, `ERR`): its kind, never data. */
const REPLY_KIND = /^[A-Z][A-Z_-]{0,31}(?= |$)/;

/**
 * The kind of a Redis server's error reply (node-redis's `ErrorReply`, ioredis's `ReplyError`),
 * which carry no `code`; `undefined` for any other error. The rest of the reply may quote a key or
 * an argument.
 */
function replyKind(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  for (let proto: unknown = Object.getPrototypeOf(error); proto !== null && proto !== Error.prototype; proto = Object.getPrototypeOf(proto)) {
    const name = (proto as { constructor?: { name?: unknown } }).constructor?.name;
    if (name === 'ErrorReply' || name === 'ReplyError') return REPLY_KIND.exec(error.message)?.[0];
  }
  return undefined;
}

/** True when `value` is a {@link StoreUnavailableError}. */
export const isStoreUnavailableError = errorGuard<StoreUnavailableError>('STORE_UNAVAILABLE');
