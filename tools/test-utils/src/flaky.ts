/** A scripted function for tests: each call takes the next outcome of the script. */
export interface Flaky<T> {
  (): Promise<T>;
  /** How many times it has been called. */
  readonly calls: number;
}

/** One scripted outcome: a value to resolve with, or `{ error }` to reject with. */
export type Outcome<T> = T | { readonly error: unknown };

/**
 * Makes a function that answers each call with the next outcome in `script`, repeating the last one
 * when the script runs out: `flaky([{ error: boom }, { error: boom }, 'ok'])` fails twice, then succeeds.
 */
export function flaky<T>(script: ReadonlyArray<Outcome<T>>): Flaky<T> {
  if (script.length === 0) throw new TypeError('Expected `script` to hold at least one outcome, got none.');
  let calls = 0;
  const fn = async (): Promise<T> => {
    const outcome = script[Math.min(calls, script.length - 1)]!;
    calls++;
    if (typeof outcome === 'object' && outcome !== null && 'error' in outcome) throw outcome.error;
    return outcome as T;
  };
  Object.defineProperty(fn, 'calls', { get: () => calls });
  return fn as Flaky<T>;
}

/** A promise you settle from outside, for ordering concurrent calls in tests. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(reason: unknown): void;
}

/** Creates a {@link Deferred}. */
export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
