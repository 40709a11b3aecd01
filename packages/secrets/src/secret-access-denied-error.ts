import { BulwarkError, errorGuard, quote } from '@bulwark/core';

/**
 * A scoped view asked for a secret it was not granted. Also reported as an `onAudit` event with
 * action `denied`.
 */
export class SecretAccessDeniedError extends BulwarkError {
  readonly code = 'SECRET_ACCESS_DENIED' as const;
  /** The name of the secret that was asked for. */
  readonly key: string;
  /** Who asked: the `who` of the scoped view. */
  readonly who: string;

  constructor(key: string, who: string) {
    super(`${quote(who)} may not read secret ${quote(key)}: it is not among the names this view was granted.`);
    this.key = key;
    this.who = who;
  }
}

/** True for a {@link SecretAccessDeniedError}. */
export const isSecretAccessDeniedError = errorGuard<SecretAccessDeniedError>('SECRET_ACCESS_DENIED');
