import type { BuiltInProfileName } from './built-in-profiles.js';
import { ConfigError } from './config-error.js';
import { checkSeed } from './internal/profile-rules.js';
import { lognormalMs, requestRandom } from './internal/random.js';
import { resolveProfile, type Profile, type ProfileInput } from './profile.js';

/** What happens to one request once it has passed the key and rate-limit checks. */
export type FaultKind = 'ok' | 'error' | 'hang' | 'drop';

/** The fate of one request, decided by the profile, the seed and the request's number alone. */
export interface PlannedRequest {
  /** The request's number among those that passed the key and rate-limit checks in this run, from 0. */
  readonly index: number;
  readonly kind: FaultKind;
  /** The status answered: the error's, else 200 (for a drop, the 200 that is cut off; for a hang, the late 200). */
  readonly status: number;
  /**
   * Milliseconds before the answer (or, for a drop, before the cut), from the latency distribution;
   * for a hang, how long it is held (`null`: until the client gives up).
   */
  readonly delayMs: number | null;
}

/** Options for {@link planFaults}. */
export interface PlanFaultsOptions {
  /** How many requests to plan. */
  readonly count: number;
  /** The number of the first. @default 0 */
  readonly from?: number;
  /** @default the profile's seed */
  readonly seed?: number;
}

/** The fate of request `index` in a run of `profile` seeded with `seed`. */
export function planRequest(profile: Profile, seed: number, index: number): PlannedRequest {
  const random = requestRandom(seed, index);
  const [pick, u1, u2, which] = [random(), random(), random(), random()];
  const { errors, hangs, drops, latency } = profile;
  const latencyMs = lognormalMs(latency.p50Ms, latency.p99Ms, latency.maxMs, u1, u2);
  if (pick < drops.rate) return { index, kind: 'drop', status: 200, delayMs: latencyMs };
  if (pick < drops.rate + hangs.rate) return { index, kind: 'hang', status: 200, delayMs: hangs.ms };
  if (pick < drops.rate + hangs.rate + errors.rate) return { index, kind: 'error', status: weighted(errors.statuses, which), delayMs: latencyMs };
  return { index, kind: 'ok', status: 200, delayMs: latencyMs };
}

function weighted(statuses: Readonly<Record<string, number>>, u: number): number {
  const entries = Object.entries(statuses);
  const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
  let at = u * total;
  for (const [status, weight] of entries) {
    at -= weight;
    if (at < 0) return Number(status);
  }
  return Number(entries.at(-1)![0]);
}

/**
 * The fates a run would deal, without running a server: the same draws the simulator makes, so a
 * profile's error rate, status mix and latency percentiles can be read before a demo, and a run can be
 * checked against them. Time-driven behaviour (the rate limit, outages, key rotation) is not part of it.
 *
 * @example
 * ```ts
 * const plan = planFaults('hard', { count: 10_000 });
 * const failed = plan.filter((r) => r.kind !== 'ok').length / plan.length; // ≈ 0.24
 * ```
 */
export function planFaults(profile: BuiltInProfileName | ProfileInput | Profile, options: PlanFaultsOptions): PlannedRequest[] {
  const resolved = resolveProfile(profile);
  const { count, from = 0, seed = resolved.seed } = options;
  for (const [field, value] of [['count', count], ['from', from]] as const) {
    if (!Number.isInteger(value) || value < 0) throw new ConfigError(field, value, 'a non-negative integer');
  }
  checkSeed('seed', seed);
  return Array.from({ length: count }, (_, i) => planRequest(resolved, seed, from + i));
}
