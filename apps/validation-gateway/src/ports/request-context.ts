import type { Caller } from '../services/caller-authenticator.js';
import type { ServerTimings } from './server-timings.js';

/** What one request carries, registered in its child container. */
export interface RequestContext {
  readonly requestId: string;
  /** This request's own W3C `traceparent` (the caller's trace id, a span id of ours). */
  readonly traceparent: string;
  /** Aborts when the caller goes away. */
  readonly signal: AbortSignal;
  readonly timings: ServerTimings;
  /** Who is calling, once authenticated. */
  caller: Caller | undefined;
}
