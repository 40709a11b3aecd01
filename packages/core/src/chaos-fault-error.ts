import { BulwarkError, errorGuard } from './bulwark-error.js';

/** The fault that `chaos` injects when no other was configured. Transient, like the faults it imitates. */
export class ChaosFaultError extends BulwarkError {
  readonly code = 'CHAOS_FAULT' as const;

  constructor() {
    super('A fault was injected by the chaos policy.', { transient: true });
  }
}

/** True when `value` is a {@link ChaosFaultError}. */
export const isChaosFaultError = errorGuard<ChaosFaultError>('CHAOS_FAULT');
