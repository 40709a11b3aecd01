import type { ResultAsync } from 'neverthrow';
import type { BulwarkError } from './bulwark-error.js';
import type { AbortSource, ExecuteContext, Policy, PolicyFunction, alternativeResult, executeContext } from './policy.js';
import { toResult } from './to-result.js';
import { invalidOption, invalidPolicy } from './validate.js';

/** The union of the alternative results of a list of policies. */
export type AltOf<P> = P extends { readonly [alternativeResult]?: () => infer Alt } ? Alt : never;

/** What a policy hands the function it runs: its `C` (see {@link Policy}). */
export type ContextOf<P> = P extends { readonly [executeContext]?: () => infer C extends ExecuteContext } ? C : ExecuteContext;

/** The last of a list of policies: the innermost of a pipeline, the one that calls the function. */
type Innermost<P extends readonly unknown[]> = P extends readonly [...unknown[], infer Last] ? Last : P[number];

class Pipeline<Alt, C extends ExecuteContext> implements Policy<Alt, C> {
  readonly policies: readonly Policy<unknown>[];

  constructor(policies: readonly Policy<unknown>[]) {
    this.policies = policies;
  }

  execute<T>(fn: PolicyFunction<T, C>, signal?: AbortSource): Promise<T | Alt> {
    if (typeof fn !== 'function') return Promise.reject(invalidOption('fn', fn, 'a function'));
    // The innermost policy calls `fn`, with its own context: a `C`, as the type says.
    return this.#run(0, fn as PolicyFunction<T>, signal) as Promise<T | Alt>;
  }

  executeResult<T>(fn: PolicyFunction<T, C>, signal?: AbortSource): ResultAsync<T | Alt, BulwarkError> {
    return toResult(this.execute(fn, signal));
  }

  #run<T>(index: number, fn: PolicyFunction<T>, signal: AbortSource | undefined): Promise<unknown> {
    const policy = this.policies[index]!;
    if (index === this.policies.length - 1) return policy.execute(fn, signal);
    // Hand the context down, not its signal: nobody pays for an AbortController unless fn asks.
    return policy.execute((context) => this.#run(index + 1, fn, context), signal);
  }
}

/**
 * Composes policies into one, outermost first: `pipeline(retry, breaker, timeout)` retries calls
 * that go through the breaker, each attempt under its own timeout.
 *
 * Each policy gets the context of the one around it, so an outer abort (the caller's signal, an
 * outer timeout) reaches every inner policy and the function's `signal`.
 *
 * @example
 * ```ts
 * declare function lookUp(query: string, signal: AbortSignal): Promise<string>;
 * declare const query: string;
 * const resilient = pipeline(fallback('offline'), timeout(500));
 * const answer = await resilient.execute(({ signal }) => lookUp(query, signal));
 * ```
 */
export function pipeline<const P extends readonly Policy<any, any>[]>(...policies: P): Policy<AltOf<P[number]>, ContextOf<Innermost<P>>> {
  if (policies.length === 0) throw new TypeError('Expected `policies` to hold at least one policy, got none.');
  policies.forEach((policy, i) => {
    // `pipeline(timeout, retry)`: a factory passed uncalled is named as one.
    if (typeof policy?.execute !== 'function') throw invalidPolicy(`policies[${i}]`, policy);
  });
  const flat = policies.flatMap((p: Policy<unknown>) => (p instanceof Pipeline ? p.policies : [p]));
  return new Pipeline<AltOf<P[number]>, ContextOf<Innermost<P>>>(flat);
}
