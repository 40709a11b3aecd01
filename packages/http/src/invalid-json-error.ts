import { BulwarkError, errorGuard } from '@bulwark/core';
import { redactUrl } from './redact-url.js';

/**
 * A successful response's body was not the JSON the caller asked for. Not transient.
 *
 * The parser's own error is deliberately not kept as `cause`: its message quotes the body, and a
 * body may hold a token.
 */
export class InvalidJsonError extends BulwarkError {
  readonly code = 'INVALID_JSON' as const;
  /** The request's method. */
  readonly method: string;
  /** The request's URL, redacted. */
  readonly url: string;
  /** The response's status. */
  readonly status: number;

  constructor(method: string, url: string | URL, status: number) {
    const shown = redactUrl(url);
    super(`${method} ${shown} answered ${status} with a body that is not valid JSON.`);
    this.method = method;
    this.url = shown;
    this.status = status;
  }
}

/** True when `value` is an {@link InvalidJsonError} (from any copy of the package). */
export const isInvalidJsonError = errorGuard<InvalidJsonError>('INVALID_JSON');
