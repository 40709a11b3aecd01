import { BulwarkError, errorGuard } from '@bulwark/core';

/**
 * Another writer held the store's lock for longer than `lockTimeoutMs`. Transient: try again.
 * A lock left by a crashed process is taken over automatically once its owner is gone or it was
 * not refreshed for `staleLockMs` (a live writer refreshes its lock while it holds it).
 */
export class SecretStoreLockedError extends BulwarkError {
  readonly code = 'SECRET_STORE_LOCKED' as const;
  /** The lock file. */
  readonly lockPath: string;

  constructor(lockPath: string, waitedMs: number) {
    super(`Could not lock ${lockPath} within ${Math.round(waitedMs)} ms: another writer holds it.`, { transient: true });
    this.lockPath = lockPath;
  }
}

/** True for a {@link SecretStoreLockedError}. */
export const isSecretStoreLockedError = errorGuard<SecretStoreLockedError>('SECRET_STORE_LOCKED');
