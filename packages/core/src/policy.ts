import type { ResultAsync } from 'neverthrow';
import type { BulwarkError } from './bulwark-error.js';

/**
 * What a policy hands to the function it runs.
 *
 * `signal` is created on first access: a function that never reads it costs its policy no
 * `AbortController`. Read it when you can act on it — pass it to `fetch`, a driver, a child policy.
 */
export interface ExecuteContext {
  /** Aborted when the call should stop: the caller cancelled, a timeout expired, a hedge lost. */
  readonly signal: AbortSignal;
  /** The attempt number, from 1; only retrying policies raise it. */
  readonly attempt: number;
}

/**
 * The function a policy runs. It may return a value or a promise of one. `C` is what the policy
 * hands it: the {@link ExecuteContext}, or more (a secret policy adds the `secret` to use).
 */
export type PolicyFunction<T, C extends ExecuteContext = ExecuteContext> = (context: C) => PromiseLike<T> | T;

/**
 * Where a call's cancellation comes from: the caller's `AbortSignal`, or the {@link ExecuteContext}
 * of an enclosing policy. Passing the context (as {@link pipeline} does) keeps signals lazy all the
 * way down.
 */
export type AbortSource = AbortSignal | ExecuteContext;

/**
 * The one interface every Bulwark primitive that wraps a call implements — retry, circuit breaker,
 * timeout, bulkhead, fallback, rate limiter, cache-aside — so that {@link pipeline} composes any of them.
 *
 * `Alt` is what the policy may return instead of the function's own value: `never` for most,
 * the fallback's type for `fallback`. `C` is what it hands the function: the {@link ExecuteContext}
 * for most, more for a policy that adds to it (a secret policy's `secret`).
 *
 * @example
 * ```ts
 * declare const url: string;
 * const policy = pipeline(timeout(2_000), fallback(null));
 * const user = await policy.execute(({ signal }) => fetch(url, { signal }).then((r) => r.json()));
 * ```
 */
/** Type-level key carrying a policy's alternative result type (see {@link Policy}); absent at runtime. */
export declare const alternativeResult: unique symbol;
/** Type-level key carrying what a policy hands its function (see {@link Policy}); absent at runtime. */
export declare const executeContext: unique symbol;

export interface Policy<Alt = never, C extends ExecuteContext = ExecuteContext> {
  /**
   * Never set: lets the type system read `Alt` back (see `AltOf`). A function type, so that the
   * `undefined` an optional property adds (without `exactOptionalPropertyTypes`) never joins `Alt`.
   */
  readonly [alternativeResult]?: () => Alt;
  /** Never set: lets the type system read `C` back, so that a pipeline's function gets its innermost policy's context. */
  readonly [executeContext]?: () => C;
  /**
   * Runs `fn` under the policy and returns its value, or rejects: with the function's own error,
   * with a {@link BulwarkError} the policy raised, or with the abort reason when `signal` aborts.
   * Never throws: a `fn` that is not a function rejects with a `TypeError` naming `fn`, and a `signal`
   * that is neither an `AbortSignal` nor an execute context rejects with one naming `signal`.
   */
  execute<T>(fn: PolicyFunction<T, C>, signal?: AbortSource): Promise<T | Alt>;
  /**
   * The neverthrow twin of {@link Policy.execute}: never rejects; every failure is an `Err` holding a
   * {@link BulwarkError} (foreign errors wrapped in `OperationFailedError`, aborts in `AbortedError`).
   */
  executeResult<T>(fn: PolicyFunction<T, C>, signal?: AbortSource): ResultAsync<T | Alt, BulwarkError>;
}
