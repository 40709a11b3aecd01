import type { ServerTimings, TimingName } from '../ports/server-timings.js';

/** The timings of one request, written as a `Server-Timing` header (durations in ms). */
export class RequestTimings implements ServerTimings {
  #limiter = 0;
  #upstream = 0;
  #cache = 0;

  add(name: TimingName, ms: number): void {
    if (name === 'limiter') this.#limiter += ms;
    else if (name === 'upstream') this.#upstream += ms;
    else this.#cache += ms;
  }

  /** `limiter;dur=…, upstream;dur=…, cache;dur=…, total;dur=…`; the upstream's time includes the limiter's wait. */
  header(totalMs: number): string {
    const f = (ms: number): string => ms.toFixed(2);
    return `limiter;dur=${f(this.#limiter)}, upstream;dur=${f(this.#upstream)}, cache;dur=${f(this.#cache)}, total;dur=${f(totalMs)}`;
  }
}
