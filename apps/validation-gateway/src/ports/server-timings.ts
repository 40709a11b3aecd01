/**
 * The parts of `Server-Timing` a request reports, each in milliseconds:
 * - `auth`: checking the caller's key;
 * - `limiter`: the caller's own rate limit;
 * - `cache`: looking the answer up (and storing it), the upstream call excluded;
 * - `upstream-wait`: waiting for the upstream's rate limiter before a call;
 * - `upstream`: the upstream call itself, its `upstream-wait` included (the header reports the two apart).
 */
export type TimingName = 'auth' | 'limiter' | 'cache' | 'upstream-wait' | 'upstream';

/** Time spent per part in one request, in milliseconds. */
export interface ServerTimings {
  add(name: TimingName, ms: number): void;
}
