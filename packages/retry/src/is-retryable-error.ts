import { errorCode, isBulwarkError } from '@bulwark/core';
import { httpStatus } from './internal/inspect.js';

const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ETIMEDOUT',
  'ECONNREFUSED',
  'EAI_AGAIN',
  'EPIPE',
  'ECONNABORTED',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

const TRANSIENT_STATUS: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

/**
 * The default retry predicate: whether trying the same call again may succeed.
 *
 * Retried:
 * - a {@link BulwarkError} that says `transient: true` (a timeout, an open circuit, a full bulkhead,
 *   a rate limit); other Bulwark errors are not;
 * - an HTTP error whose `status`/`statusCode` (or `response.status`/`response.statusCode`) is 408,
 *   429, 500, 502, 503 or 504; never another status — a 400, 401, 403, 404 or 422 is the caller's
 *   fault and fails the same way every time;
 * - a network failure whose `code`, on the error or along its `cause` chain (as `fetch` wraps them),
 *   is `ECONNRESET` (which includes Node's "socket hang up"), `ETIMEDOUT`, `ECONNREFUSED`, `EAI_AGAIN`,
 *   `EPIPE`, `ECONNABORTED`, `ENETUNREACH`, `EHOSTUNREACH`, or undici's `UND_ERR_SOCKET`,
 *   `UND_ERR_CONNECT_TIMEOUT`, `UND_ERR_HEADERS_TIMEOUT`, `UND_ERR_BODY_TIMEOUT`;
 * - a platform `TimeoutError` (from `AbortSignal.timeout`).
 *
 * Never retried: an `AbortError` (someone cancelled), anything else. Compose it in your own
 * `shouldRetry` to add cases: `(e) => isRetryableError(e) || e instanceof MyFlakyError`.
 */
export function isRetryableError(error: unknown): boolean {
  if (isBulwarkError(error)) return error.transient;
  if (typeof error !== 'object' || error === null) return false;
  const status = httpStatus(error);
  if (status !== undefined) return TRANSIENT_STATUS.has(status);
  const name = (error as { name?: unknown }).name;
  if (name === 'AbortError') return false;
  if (name === 'TimeoutError') return true;
  if (errorCode(error, TRANSIENT_CODES) !== undefined) return true;
  return (error as { message?: unknown }).message === 'socket hang up';
}
