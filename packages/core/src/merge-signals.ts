import { invalidOption } from './validate.js';

/** A derived `AbortSignal` and the handle that detaches it from its sources. */
export interface DisposableSignal {
  readonly signal: AbortSignal;
  /** Detaches from the sources (and clears any timer); the signal itself stays as it is. */
  dispose(): void;
  [Symbol.dispose](): void;
}

/**
 * A signal that aborts when the first of `signals` does, with that signal's reason.
 *
 * Unlike `AbortSignal.any`, it detaches from its sources when disposed or when it aborts, so merging
 * with a long-lived signal (a server's shutdown signal, say) per request does not pile up listeners.
 * `undefined` entries are skipped.
 *
 * @example
 * ```ts
 * declare const request: Request;
 * declare const shutdown: AbortController;
 * declare const url: URL;
 * using merged = mergeSignals(request.signal, shutdown.signal);
 * await fetch(url, { signal: merged.signal });
 * ```
 */
export function mergeSignals(...signals: ReadonlyArray<AbortSignal | undefined>): DisposableSignal {
  signals.forEach((s, i) => {
    if (s !== undefined && !(s instanceof AbortSignal)) throw invalidOption(`signals[${i}]`, s, 'an AbortSignal or undefined');
  });
  const sources = signals.filter((s): s is AbortSignal => s !== undefined);
  const controller = new AbortController();
  const dispose = (): void => {
    for (const s of sources) s.removeEventListener('abort', onAbort);
  };
  function onAbort(this: AbortSignal): void {
    dispose();
    controller.abort(this.reason);
  }
  const already = sources.find((s) => s.aborted);
  if (already !== undefined) controller.abort(already.reason);
  else for (const s of sources) s.addEventListener('abort', onAbort, { once: true });
  return { signal: controller.signal, dispose, [Symbol.dispose]: dispose };
}
