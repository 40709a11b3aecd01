import { BulwarkError, errorGuard, quote } from '@bulwark/core';

/**
 * No provider holds the secret asked for. Carries the `key` (the secret's name), never a value.
 *
 * @example
 * ```ts
 * const vault = secretManager({ providers: envProvider() });
 * try { await vault.get('STRIPE_KEY') } catch (e) { if (isSecretNotFoundError(e)) console.error(e.key) }
 * ```
 */
export class SecretNotFoundError extends BulwarkError {
  readonly code = 'SECRET_NOT_FOUND' as const;
  /** The name of the secret that was asked for. */
  readonly key: string;
  /** The providers that were asked, in order. */
  readonly providers: readonly string[];

  constructor(key: string, providers: readonly string[]) {
    super(`Secret ${quote(key)} was not found in ${providers.length === 0 ? 'any provider' : providers.join(', ')}.`);
    this.key = key;
    this.providers = providers;
  }
}

/** True for a {@link SecretNotFoundError}. */
export const isSecretNotFoundError = errorGuard<SecretNotFoundError>('SECRET_NOT_FOUND');
