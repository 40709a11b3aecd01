import { BulwarkError, errorGuard } from '@bulwark/core';

/**
 * The encrypted store failed its integrity check: the file was altered outside the store, or is
 * damaged. The store refuses to read or write it, so nothing is overwritten; restore it from a
 * backup or fix the cause.
 */
export class SecretStoreCorruptError extends BulwarkError {
  readonly code = 'SECRET_STORE_CORRUPT' as const;
  /** The store file. */
  readonly path: string;

  constructor(path: string, reason: string, options: { cause?: unknown } = {}) {
    super(`${path}: ${reason}. The file was altered outside this store or is damaged; nothing was written.`, options);
    this.path = path;
  }
}

/** True for a {@link SecretStoreCorruptError}. */
export const isSecretStoreCorruptError = errorGuard<SecretStoreCorruptError>('SECRET_STORE_CORRUPT');
