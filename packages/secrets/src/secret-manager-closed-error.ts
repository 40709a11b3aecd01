import { BulwarkError, errorGuard, quote } from '@bulwark/core';

/**
 * A call was made on a secret manager, or on a view `scope()` made of it, after the manager's
 * `close()`: it no longer refreshes secrets nor hears that a provider's secret changed, so what it
 * holds may be stale. Nothing is read or fetched. Not transient: make a new `secretManager()` (or
 * stop calling this one once you have closed it).
 *
 * @example
 * ```ts
 * const vault = secretManager({ providers: envProvider(), name: 'vault' });
 * await vault.close();
 * await vault.get('STRIPE_KEY').catch((error: unknown) => {
 *   if (isSecretManagerClosedError(error)) console.log(error.method); // 'get'
 * });
 * ```
 */
export class SecretManagerClosedError extends BulwarkError {
  readonly code = 'SECRET_MANAGER_CLOSED' as const;
  /** The name of the manager that was closed. */
  readonly manager: string;
  /** The method that was called, as it was called: `get`, `loadResult`, `policy().execute`. */
  readonly method: string;

  constructor(manager: string, method: string) {
    super(`The secret manager ${quote(manager)} is closed: ${method}() was called after close(). Make a new secretManager() to keep reading secrets.`);
    this.manager = manager;
    this.method = method;
  }
}

/** True for a {@link SecretManagerClosedError} (from any copy of the package). */
export const isSecretManagerClosedError = errorGuard<SecretManagerClosedError>('SECRET_MANAGER_CLOSED');
