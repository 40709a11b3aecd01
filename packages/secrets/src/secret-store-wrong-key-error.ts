import { BulwarkError, errorGuard } from '@bulwark/core';

/**
 * None of the keys given opens the encrypted store: a wrong passphrase, the wrong key file, or key
 * records altered on disk. Nothing was read or written.
 */
export class SecretStoreWrongKeyError extends BulwarkError {
  readonly code = 'SECRET_STORE_WRONG_KEY' as const;
  /** The store file. */
  readonly path: string;
  /** Ids of the keys the file knows (public identifiers, not key material). */
  readonly keyIds: readonly string[];

  constructor(path: string, keyIds: readonly string[], message: string) {
    super(`${path}: ${message}`);
    this.path = path;
    this.keyIds = keyIds;
  }
}

/** True for a {@link SecretStoreWrongKeyError}. */
export const isSecretStoreWrongKeyError = errorGuard<SecretStoreWrongKeyError>('SECRET_STORE_WRONG_KEY');
