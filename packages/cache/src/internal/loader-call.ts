import { CallContext, DeadlineTimer, TimeoutError, type Clock } from '@bulwark/core';
import type { LoaderContext } from '../cache-options.js';

/**
 * One run of a loader: the context it is given — its key, and a signal (made only if the loader
 * reads it) that aborts when the load is abandoned — and its deadline, `loaderTimeoutMs`. The load
 * is shared, so this context stands alone rather than on any caller's signal; it is an execute
 * context too, so `policy()` hands it to its function as it is.
 *
 * The deadline's timer holds the process only while a caller awaits the load (`held`): a caller may
 * have nothing else pending (a loader that never settles holds nothing), and an unref'd timer would
 * let a script exit with its await unsettled. A background refresh nobody awaits never keeps a
 * finished process open.
 */
export class LoaderCall extends CallContext implements LoaderContext {
  readonly key: string;
  readonly #deadline: DeadlineTimer;

  constructor(key: string, clock: Clock, held: boolean) {
    super();
    this.key = key;
    this.#deadline = new DeadlineTimer(clock, held);
  }

  /**
   * What the loader returned, bounded by `timeoutMs`: past it the load is abandoned — its signal
   * aborts with a `TimeoutError` and the promise rejects with that error; whatever the loader does
   * afterwards is ignored. A value returned at once (not a promise) needs no deadline.
   */
  within(pending: unknown, timeoutMs: number): unknown {
    if (timeoutMs === Infinity || typeof (pending as PromiseLike<unknown> | null)?.then !== 'function') return pending;
    return new Promise((resolve, reject) => {
      this.#deadline.start(timeoutMs, () => {
        const error = new TimeoutError(timeoutMs);
        this.abort(error);
        reject(error);
      });
      (pending as PromiseLike<unknown>).then(
        (value) => {
          this.#deadline.stop();
          resolve(value);
        },
        (error: unknown) => {
          this.#deadline.stop();
          reject(error);
        },
      );
    });
  }

  /** A caller now awaits the load: from now on its deadline holds the process. */
  hold(): void {
    this.#deadline.hold();
  }
}
