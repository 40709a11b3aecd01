import { BulwarkError, errorGuard } from '@bulwark/core';
import { redactUrl } from './redact-url.js';

/**
 * Why a request could not be sent again:
 * - `stream-body`: its body is a stream, read once by the attempt before;
 * - `not-idempotent`: its method (POST, PATCH, ...) may act twice and it carries no `Idempotency-Key`.
 */
export type NotReplayableReason = 'stream-body' | 'not-idempotent';

/**
 * A policy asked the client to send a request again that must not or cannot be sent twice, after
 * an earlier attempt had reached the server. Not transient. `cause` is the earlier attempt's failure
 * (an `HttpError`, a `NetworkError`, a `TimeoutError`, ...), which is what the caller usually wants.
 *
 * Give the request a buffered body (a string, bytes, `FormData`, `json`) and, for POST and PATCH, an
 * `Idempotency-Key` (`idempotencyKey: true`) to make it retryable.
 */
export class RequestNotReplayableError extends BulwarkError {
  readonly code = 'REQUEST_NOT_REPLAYABLE' as const;
  /** The request's method. */
  readonly method: string;
  /** The request's URL, redacted. */
  readonly url: string;
  /** Why it could not be sent again. */
  readonly reason: NotReplayableReason;

  constructor(method: string, url: string | URL, reason: NotReplayableReason, cause: unknown) {
    const shown = redactUrl(url);
    const why =
      reason === 'stream-body'
        ? 'its body is a stream, already read by the attempt before; pass a string, bytes, FormData or `json` to make it retryable'
        : `${method} is not idempotent and the request carries no Idempotency-Key; set \`idempotencyKey\` to make it retryable`;
    super(`${method} ${shown} was not sent again: ${why}.`, { cause, transient: false });
    this.method = method;
    this.url = shown;
    this.reason = reason;
  }
}

/** True when `value` is a {@link RequestNotReplayableError} (from any copy of the package). */
export const isRequestNotReplayableError = errorGuard<RequestNotReplayableError>('REQUEST_NOT_REPLAYABLE');
