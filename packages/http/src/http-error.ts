import { BulwarkError, errorGuard } from '@bulwark/core';
import { isTransientStatus } from './is-transient-status.js';
import type { ProblemDetails } from './problem-details.js';
import { redactUrl } from './redact-url.js';

/** What an {@link HttpError} is built from. */
export interface HttpErrorOptions {
  /** The response's status, 400 or more. */
  readonly status: number;
  /** The response's reason phrase, when it had one. @default '' */
  readonly statusText?: string;
  /** The request's method. */
  readonly method: string;
  /** The request's URL; stored and shown redacted (see `redactUrl`). */
  readonly url: string | URL;
  /** Which attempt of the request got the response, from 1. @default 1 */
  readonly attempt?: number;
  /**
   * When to try again, in milliseconds: from `Retry-After`, else an exhausted `RateLimit` or
   * `X-RateLimit-*` quota's reset.
   */
  readonly retryAfterMs?: number;
  /** The `application/problem+json` body, when the response had one. */
  readonly problem?: ProblemDetails;
}

/**
 * The server answered with a status of 400 or more. The response as a resilience signal:
 *
 * - `status`, and `transient` from it (408, 429 and 5xx but 501 and 505: see `isTransientStatus`),
 *   so a retry policy and a circuit breaker read it without knowing HTTP;
 * - `retryAfterMs` from `Retry-After` (delay-seconds or an HTTP-date in any of its three formats,
 *   measured against the response's own `Date`) or an exhausted `RateLimit`/`X-RateLimit-*` quota;
 * - `problem`, the RFC 9457 `application/problem+json` body when there is one;
 * - `method` and `url`, the URL without user name, password, fragment or credential-like query
 *   values. Request headers (and so credentials) never appear in it, nor in `toJSON()`.
 *
 * @example
 * ```ts
 * const client = httpClient({ baseUrl: 'https://api.example.com/v1' });
 * async function rates(): Promise<unknown> {
 *   try {
 *     return await client.json('rates');
 *   } catch (error) {
 *     if (isHttpError(error) && error.status === 404) return undefined;
 *     throw error;
 *   }
 * }
 * ```
 */
export class HttpError extends BulwarkError {
  readonly code = 'HTTP_ERROR' as const;
  /** The response's status. */
  readonly status: number;
  /** The response's reason phrase (`''` over HTTP/2, which has none). */
  readonly statusText: string;
  /** The request's method. */
  readonly method: string;
  /** The request's URL, redacted. */
  readonly url: string;
  /** Which attempt of the request got this response, from 1. */
  readonly attempt: number;
  /** The `application/problem+json` body, when there was one and it came whole (64 KiB at most, within 1 s of the headers). */
  readonly problem: ProblemDetails | undefined;

  constructor(options: HttpErrorOptions) {
    const url = redactUrl(options.url);
    const statusText = options.statusText ?? '';
    const title = typeof options.problem?.title === 'string' ? `: ${options.problem.title.replace(/\.$/, '')}` : '';
    super(`${options.method} ${url} answered ${options.status}${statusText === '' ? '' : ` ${statusText}`}${title}.`, {
      transient: isTransientStatus(options.status),
      ...(options.retryAfterMs === undefined ? {} : { retryAfterMs: options.retryAfterMs }),
    });
    this.status = options.status;
    this.statusText = statusText;
    this.method = options.method;
    this.url = url;
    this.attempt = options.attempt ?? 1;
    this.problem = options.problem;
  }
}

/** True when `value` is an {@link HttpError} (from any copy of the package). */
export const isHttpError = errorGuard<HttpError>('HTTP_ERROR');
