import { BulwarkError, errorCode, errorGuard, isConnectFailure } from '@bulwark/core';
import { redactUrl } from './redact-url.js';

/**
 * No response came back: the connection was refused or reset, the name did not resolve, TLS failed,
 * or `fetch` itself threw. Transient: the same request may get through later. `cause` is what
 * `fetch` rejected with (Node's `TypeError: fetch failed`, whose own `cause` holds the socket error).
 * An abort is never wrapped: a cancelled or timed-out attempt rejects with its signal's reason.
 *
 * `requestSent` is `false` only when the failure proves the request never left (a refused
 * connection, a name that did not resolve): then even a POST may be sent again. `@bulwark/retry`'s
 * `idempotent: false` reads it.
 *
 * The message names the method, the redacted URL and the error code, never the request's headers.
 */
export class NetworkError extends BulwarkError {
  readonly code = 'NETWORK_ERROR' as const;
  /** The request's method. */
  readonly method: string;
  /** The request's URL, redacted. */
  readonly url: string;
  /** Which attempt of the request failed, from 1. */
  readonly attempt: number;
  /** The socket or DNS error code found along the `cause` chain, when there is one. */
  readonly errorCode: string | undefined;
  /** Whether the request may have reached the server: `false` only for connect-phase failures. */
  readonly requestSent: boolean;

  constructor(method: string, url: string | URL, attempt: number, cause: unknown) {
    const shown = redactUrl(url);
    const code = errorCode(cause);
    super(`${method} ${shown} got no response${code === undefined ? '' : ` (${code})`}.`, { cause, transient: true });
    this.method = method;
    this.url = shown;
    this.attempt = attempt;
    this.errorCode = code;
    this.requestSent = !isConnectFailure(cause);
  }
}

/** True when `value` is a {@link NetworkError} (from any copy of the package). */
export const isNetworkError = errorGuard<NetworkError>('NETWORK_ERROR');
