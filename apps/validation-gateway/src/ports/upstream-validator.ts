import type { EmailVerdict } from './email-verdict.js';
import type { ServerTimings } from './server-timings.js';

/** What one call to the upstream carries besides the address. */
export interface UpstreamCall {
  /** Aborts the call (the caller went away, or the request's deadline passed). */
  readonly signal?: AbortSignal;
  /** The W3C `traceparent` to send, so the upstream's logs join the request's trace. */
  readonly traceparent?: string;
  /** Where to add the time spent waiting for the upstream's rate limit and in the upstream. */
  readonly timings?: ServerTimings;
}

/** Port: the third-party email-validation API. Rejects when it could not answer. */
export interface UpstreamValidator {
  validate(email: string, call: UpstreamCall): Promise<EmailVerdict>;
}
