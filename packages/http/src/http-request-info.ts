import type { Policy } from '@bulwark/core';

/** What the client tells an {@link HttpPolicySource} about a request before running it. */
export interface HttpRequestInfo {
  /** The method, upper-case. */
  readonly method: string;
  /** The full URL (not redacted: it is your own code that reads it). */
  readonly url: URL;
  /** `url.origin`: the key of one breaker per origin. */
  readonly origin: string;
  /**
   * Whether sending it twice is safe once the server may have acted on it: GET, HEAD, OPTIONS,
   * TRACE, PUT and DELETE are idempotent (RFC 9110); any other method only with an `Idempotency-Key`.
   */
  readonly idempotent: boolean;
  /** Whether its body can be sent again: false for a stream body, read once. */
  readonly replayable: boolean;
}

/**
 * A policy chosen per request, as `@bulwark/http/standard` does (a breaker per origin, no retry for a
 * stream body). Pass one as `policy`, or pass a plain `Policy` to run every request through it.
 */
export interface HttpPolicySource {
  /** The policy that runs `request`, or `undefined` to send it once as it is. */
  policyFor(request: HttpRequestInfo): Policy | undefined;
}
