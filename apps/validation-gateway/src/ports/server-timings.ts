/** The parts of `Server-Timing` a request reports. */
export type TimingName = 'limiter' | 'upstream' | 'cache';

/** Time spent per part in one request, in milliseconds. */
export interface ServerTimings {
  add(name: TimingName, ms: number): void;
}
