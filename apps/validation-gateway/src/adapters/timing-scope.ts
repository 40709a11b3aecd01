import { AsyncLocalStorage } from 'node:async_hooks';
import type { ServerTimings } from '../ports/server-timings.js';

/**
 * The timings of the request an upstream call is made for. The rate limiter is shared by every
 * request and is called deep inside the HTTP client, which knows nothing of requests: the call runs
 * in this scope, and the limiter's wait is added to the request's `upstream-wait` timing from it.
 */
export const timingScope = new AsyncLocalStorage<ServerTimings>();

/** Something that makes a call wait its turn, such as a `@bulwark/ratelimit` limiter. */
export interface UpstreamLimiter {
  acquire(key: string, options: { readonly signal?: AbortSignal }): PromiseLike<unknown>;
  observe(key: string, response: Response): unknown;
}

/** `limiter`, with the time each `acquire` waited added to the current request's `upstream-wait` timing. */
export function timedLimiter(limiter: UpstreamLimiter, now: () => number): UpstreamLimiter {
  return {
    async acquire(key, options) {
      const started = now();
      try {
        return await limiter.acquire(key, options);
      } finally {
        timingScope.getStore()?.add('upstream-wait', now() - started);
      }
    },
    observe: (key, response) => limiter.observe(key, response),
  };
}
