import type { ServerTimings, TimingName } from '../ports/server-timings.js';

/**
 * A duration in ms to at most two decimals, from integers: `toFixed(2)` costs twice as much, and a
 * header has six of them on every response.
 */
function f(ms: number): string {
  const hundredths = Math.round(ms * 100);
  if (!(hundredths > 0)) return '0';
  const rest = hundredths % 100;
  const whole = (hundredths - rest) / 100;
  return rest === 0 ? `${whole}` : rest < 10 ? `${whole}.0${rest}` : `${whole}.${rest}`;
}

/**
 * The timings of one request, written as a W3C `Server-Timing` header with durations in ms:
 * `auth;dur=…, limiter;dur=…, cache;dur=…, upstream-wait;dur=…, upstream;dur=…, total;dur=…`.
 * The parts do not overlap, so `total` minus their sum is the gateway's own time (parsing,
 * routing, serializing, logging). In a batch, a part is summed over the batch's addresses, which
 * run a few at a time: there, the parts can add up to more than `total`.
 */
export class RequestTimings implements ServerTimings {
  #auth = 0;
  #limiter = 0;
  #cache = 0;
  #upstreamWait = 0;
  #upstream = 0;

  add(name: TimingName, ms: number): void {
    switch (name) {
      case 'auth':
        this.#auth += ms;
        break;
      case 'limiter':
        this.#limiter += ms;
        break;
      case 'cache':
        this.#cache += ms;
        break;
      case 'upstream-wait':
        this.#upstreamWait += ms;
        break;
      case 'upstream':
        this.#upstream += ms;
        break;
    }
  }

  header(totalMs: number): string {
    const upstream = Math.max(0, this.#upstream - this.#upstreamWait);
    return `auth;dur=${f(this.#auth)}, limiter;dur=${f(this.#limiter)}, cache;dur=${f(this.#cache)}, upstream-wait;dur=${f(this.#upstreamWait)}, upstream;dur=${f(upstream)}, total;dur=${f(totalMs)}`;
  }
}
