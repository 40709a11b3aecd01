/** The rate limit's answer for one request of a caller. */
export interface CallerLimitDecision {
  readonly allowed: boolean;
  /** When refused, how long until a request would pass, in milliseconds. */
  readonly retryAfterMs: number;
  /** Requests left now. */
  readonly remaining: number;
  /** The quota, per `windowMs`. */
  readonly limit: number;
  readonly windowMs: number;
}

/** Port: the rate limit of each caller's API key. */
export interface CallerLimiter {
  take(callerId: string): Promise<CallerLimitDecision>;
}
