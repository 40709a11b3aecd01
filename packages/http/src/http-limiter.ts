/**
 * The rate limiter an HTTP client feeds: `rateLimiter()` of `@bulwark/ratelimit`, or anything shaped
 * like it. Only `observe` is required.
 */
export interface HttpLimiter {
  /**
   * Told every response, to read its server hints (`Retry-After`, `RateLimit`, `X-RateLimit-*`, a
   * bare 429): one 429 then holds `key` back for every caller sharing the limiter.
   */
  observe(key: string, response: Response): unknown;
  /** When present, awaited before each attempt: waits for the key's turn or rejects (`RateLimitedError`). */
  acquire?(key: string, options: { readonly signal?: AbortSignal }): PromiseLike<unknown>;
}
