/**
 * Whether an HTTP status says the same request may succeed later: 408 (request timeout), 429 (too
 * many requests) and every 5xx except 501 (not implemented) and 505 (HTTP version not supported),
 * which fail the same way every time. Every other status is not transient: a 400, 401, 403, 404 or
 * 422 is the request's own fault.
 *
 * @example
 * ```ts
 * isTransientStatus(503); // true
 * isTransientStatus(501); // false
 * ```
 */
export function isTransientStatus(status: number): boolean {
  if (status >= 500) return status !== 501 && status !== 505;
  return status === 408 || status === 429;
}
