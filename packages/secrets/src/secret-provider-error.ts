import { BulwarkError, errorGuard, quote } from '@bulwark/core';

/** Options of {@link SecretProviderError}. */
export interface SecretProviderErrorOptions {
  readonly cause?: unknown;
  /** Whether asking again later may succeed (an I/O error, a timeout). @default true */
  readonly transient?: boolean;
}

/**
 * A provider could not say whether it holds a secret: an unreadable file, a timeout, a
 * misconfiguration. Different from {@link SecretNotFoundError}, which means every provider
 * answered and none holds it. The message names the provider and the secret, never a value.
 */
export class SecretProviderError extends BulwarkError {
  readonly code = 'SECRET_PROVIDER_FAILED' as const;
  /** The secret's name, when the failure concerns one. */
  readonly key: string | undefined;
  /** The provider that failed. */
  readonly provider: string;

  constructor(provider: string, key: string | undefined, message: string, options: SecretProviderErrorOptions = {}) {
    super(`${provider}${key === undefined ? '' : ` (secret ${quote(key)})`}: ${message}`, {
      cause: options.cause,
      transient: options.transient ?? true,
    });
    this.provider = provider;
    this.key = key;
  }
}

/** True for a {@link SecretProviderError}. */
export const isSecretProviderError = errorGuard<SecretProviderError>('SECRET_PROVIDER_FAILED');
