import type { ResultAsync } from 'neverthrow';
import type { BulwarkError } from './bulwark-error.js';
import { CallContext } from './call-context.js';
import { EventEmitter, type Event } from './event.js';
import type { EventPayload } from './event-payloads.js';
import type { AbortSource, ExecuteContext, Policy, PolicyFunction } from './policy.js';
import { toResult } from './to-result.js';
import { expectFunction, expectName, expectOptions, knownOptions } from './validate.js';

/** Computes the fallback from the error that made it necessary. */
export type FallbackFunction<F> = (error: unknown, context: ExecuteContext) => PromiseLike<F> | F;

/** Options for {@link fallback}. */
export interface FallbackOptions {
  /**
   * Which errors the fallback answers; others are rethrown. The caller's own abort is never
   * answered, whatever this says.
   * @default every error
   */
  readonly when?: (error: unknown) => boolean;
  /** A name for logs and metrics. @default 'fallback' */
  readonly name?: string;
}

/** Emitted by {@link FallbackPolicy.onFallback} each time the fallback answers for a failed call. */
export interface FallbackEvent extends EventPayload {
  /** The failure the fallback answered for. */
  readonly error: unknown;
}

/** A {@link Policy} that answers for a failed call. Create one with {@link fallback}. */
export interface FallbackPolicy<F> extends Policy<F> {
  /** The name given in the options, for logs and metrics. */
  readonly name: string;
  /** Fires each time the fallback is used. */
  readonly onFallback: Event<FallbackEvent>;
}

class Fallback<F> implements FallbackPolicy<F> {
  readonly name: string;
  readonly #produce: FallbackFunction<F>;
  readonly #when: (error: unknown) => boolean;
  readonly #onFallback = new EventEmitter<FallbackEvent>();
  readonly onFallback = this.#onFallback.event;

  constructor(name: string, produce: FallbackFunction<F>, when: (error: unknown) => boolean) {
    this.name = name;
    this.#produce = produce;
    this.#when = when;
  }

  async execute<T>(fn: PolicyFunction<T>, signal?: AbortSource): Promise<T | F> {
    expectFunction('fn', fn);
    const call = new CallContext(signal);
    try {
      return await fn(call);
    } catch (error) {
      // An abort the caller asked for is an answer, not a failure to cover up.
      if (call.aborted || !this.#when(error)) throw error;
      if (this.#onFallback.hasListeners) this.#onFallback.emit({ name: this.name, error });
      return await this.#produce(error, call);
    } finally {
      call.release();
    }
  }

  executeResult<T>(fn: PolicyFunction<T>, signal?: AbortSource): ResultAsync<T | F, BulwarkError> {
    return toResult(this.execute(fn, signal));
  }
}

const FALLBACK_OPTIONS = knownOptions<FallbackOptions>('fallback()', {
  when: ['shouldHandle', 'handle', 'if'],
  name: [],
});

/**
 * Creates a policy that answers for a failed call: with `value`, or with what a function of the
 * error returns. Put it outermost in a {@link pipeline} so it covers every policy inside.
 *
 * A function passed here is always called, never returned: to fall back to a function value, wrap
 * it (`fallback(() => myFunction)`).
 *
 * @example
 * ```ts
 * declare const cache: { lastKnown(key: string): { valid: boolean } | undefined };
 * declare const key: string;
 * const orCached = fallback(() => cache.lastKnown(key), { when: isTimeoutError });
 * ```
 */
export function fallback<F>(valueOrFunction: F | FallbackFunction<F>, options: FallbackOptions = {}): FallbackPolicy<F> {
  // `fallback()` in plain JavaScript would answer every failure with undefined, unseen. Only a
  // missing argument is refused: `fallback(undefined)`, written out, is a choice.
  if (arguments.length === 0) {
    throw new TypeError(
      'Expected `valueOrFunction` to be the value to answer a failure with, or a function of the error that makes it, got no argument (write `fallback(undefined)` to answer with undefined).',
    );
  }
  expectOptions('options', options, FALLBACK_OPTIONS);
  if (options.when !== undefined) expectFunction('when', options.when);
  const produce: FallbackFunction<F> =
    typeof valueOrFunction === 'function' ? (valueOrFunction as FallbackFunction<F>) : () => valueOrFunction;
  const name = options.name ?? 'fallback';
  expectName(name);
  return new Fallback(name, produce, options.when ?? (() => true));
}
