import { CallContext, type AbortSource } from '@bulwark/core';
import type { Secret } from '../secret.js';

/** The context a secret policy passes to its function: the caller's cancellation plus the secret. */
export class SecretCallContext extends CallContext {
  readonly secret: Secret<string>;

  constructor(parent: AbortSource | undefined, secret: Secret<string>) {
    super(parent);
    this.secret = secret;
  }
}
