import { BulwarkError, errorGuard } from './bulwark-error.js';

/**
 * The caller cancelled the call through its `AbortSignal`. Not transient: the caller asked to stop.
 *
 * Throwing APIs reject with the signal's own `reason` (as `fetch` does); this class appears in the
 * `Result` forms, where every failure is a {@link BulwarkError}, with that reason as `cause`.
 */
export class AbortedError extends BulwarkError {
  readonly code = 'ABORTED' as const;

  constructor(options: { readonly cause?: unknown } = {}) {
    super('The call was aborted.', options);
  }
}

/** True when `value` is an {@link AbortedError}. */
export const isAbortedError = errorGuard<AbortedError>('ABORTED');
