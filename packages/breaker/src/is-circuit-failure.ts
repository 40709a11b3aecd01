const statusOf = (error: unknown): unknown => {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { status?: unknown; statusCode?: unknown; response?: { status?: unknown } };
  return e.status ?? e.statusCode ?? e.response?.status;
};

/**
 * The default `isFailure` of a circuit breaker: every error counts against the circuit except an
 * HTTP client error that is the caller's own fault — an error whose `status`, `statusCode` or
 * `response.status` is a 4xx other than 408 (timeout) and 429 (too many requests). A 404 or a 422
 * says the dependency is up and answering.
 *
 * Independently of this predicate, a call that fails because the caller aborted it never counts.
 *
 * @example
 * ```ts
 * class ValidationError extends Error {}
 * circuitBreaker({ isFailure: (e) => isCircuitFailure(e) && !(e instanceof ValidationError) });
 * ```
 */
export function isCircuitFailure(error: unknown): boolean {
  const status = statusOf(error);
  if (typeof status === 'number' && status >= 400 && status < 500) return status === 408 || status === 429;
  return true;
}
