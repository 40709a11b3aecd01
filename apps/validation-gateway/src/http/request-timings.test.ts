import { describe, expect, it } from 'vitest';
import { RequestTimings } from './request-timings.js';

describe('RequestTimings', () => {
  it('writes each part in ms to at most two decimals, summing repeats, in a fixed order', () => {
    const timings = new RequestTimings();
    timings.add('auth', 0.004);
    timings.add('limiter', 0.005);
    timings.add('cache', 1);
    timings.add('cache', 0.5);
    timings.add('upstream', 12.345);
    timings.add('upstream-wait', 2.3);
    expect(timings.header(100.999)).toBe('auth;dur=0, limiter;dur=0.01, cache;dur=1.50, upstream-wait;dur=2.30, upstream;dur=10.05, total;dur=101');
  });

  it('writes 0 for a part that took no time, a negative or a non-number', () => {
    const timings = new RequestTimings();
    timings.add('auth', -1);
    timings.add('cache', Number.NaN);
    expect(timings.header(0.07)).toBe('auth;dur=0, limiter;dur=0, cache;dur=0, upstream-wait;dur=0, upstream;dur=0, total;dur=0.07');
  });
});
