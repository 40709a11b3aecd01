import type { ProfileInput } from './profile.js';

/** The names of the built-in profiles. */
export type BuiltInProfileName = 'calm' | 'mild' | 'hard';

/**
 * The built-in profiles, as inputs over the defaults (see the README for the table):
 *
 * - `calm`: a healthy API — quick answers, nothing fails, no limit, no rotation.
 * - `mild`: a normal day — a slower tail, 5% server errors, rare hangs and drops, 50 requests per
 *   second per key, a key rotation every two minutes.
 * - `hard`: a bad day, for a 60-second demo — 20% server errors, 2% hangs of 10 s (past a 2 s client
 *   timeout), 2% dropped connections, 20 requests per second per key, a 10-second outage from 20 s,
 *   and one key rotation, at 40 s, with 5 s of overlap.
 */
export const BUILT_IN_PROFILES: Readonly<Record<BuiltInProfileName, ProfileInput>> = Object.freeze({
  calm: {
    latency: { p50Ms: 15, p99Ms: 60 },
  },
  mild: {
    latency: { p50Ms: 30, p99Ms: 250, maxMs: 5_000 },
    errors: { rate: 0.05, statuses: { '500': 1, '502': 1, '503': 2 } },
    hangs: { rate: 0.005, ms: 5_000 },
    drops: { rate: 0.005 },
    rateLimit: { quota: 50, windowMs: 1_000 },
    keys: { rotateEveryMs: 120_000, overlapMs: 10_000 },
  },
  hard: {
    latency: { p50Ms: 40, p99Ms: 600, maxMs: 5_000 },
    errors: { rate: 0.2, statuses: { '500': 1, '502': 1, '503': 1 } },
    hangs: { rate: 0.02, ms: 10_000 },
    drops: { rate: 0.02 },
    rateLimit: { quota: 20, windowMs: 1_000 },
    outages: [{ atMs: 20_000, forMs: 10_000 }],
    keys: { rotateEveryMs: 40_000, overlapMs: 5_000 },
  },
});
