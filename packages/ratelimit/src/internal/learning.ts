// The learning rules of a limiter made with `learn`, as arithmetic on two numbers per key, shared
// by the memory store and mirrored line for line by the Lua scripts of the Redis store
// (redis-scripts.ts). Times are milliseconds on the store's clock.
//
// A key's learned state is `learn` and `probe`:
//   learn undefined:  unknown (never seen, or expired): the next call is a first contact;
//   learn = 0:        a first contact went out; the others wait for its response, or until its
//                     timeout (in `probe`, for the Redis store; the memory store keeps it aside);
//   learn = -(1 + n): the server stated no limit; n units went out since `probe` (that time);
//   learn > 0:        paced: one unit per `learn` ms, as of `probe`:
//     probe undefined: stated by the server, constant;
//     probe > 0:       additive increase from time `probe` (after a refusal);
//     probe < 0:       slow start (doubling) from time `-probe` (after the first refusal).
// Besides, `serial`: the answers so far that stated a limit but no window (`X-RateLimit-Limit`
// alone). Each leaves the key unknown, so that its next call is a first contact again, one at a
// time, until the server states a rate, refuses, or `limit` of them were answered (then no limit).
// Pacing itself lives in the hold key: the earliest time the next unit may go. A hold pushes it
// later, each paced unit pushes it one interval on, so a hold ends in paced units, never a burst.
import type { ServerHints } from '@bulwark/core';

/** A refusal without a stated rate multiplies the rate by this (the multiplicative decrease). */
export const DECREASE = 0.7;
/**
 * ... or by this when it ends a slow start: the rate doubled within the last doubling period, so the
 * rate one period earlier, half of it, went unrefused (TCP's reason for halving there).
 */
export const SLOW_START_DECREASE = 0.5;
/** After a decrease the rate grows by this share of itself per second (the additive increase). */
export const INCREASE_PER_MS = 0.02 / 1_000;
/** After the first refusal the rate doubles every this many milliseconds until the next one (slow start). */
export const DOUBLING_MS = 1_000;

/** @internal How a limiter learns, as stores apply it. */
export interface LearnParams {
  /** How long learned state lives after the last response that taught something. */
  readonly ttlMs: number;
  /** How long a first contact holds the other calls on its key while its response is awaited. */
  readonly firstResponseTimeoutMs: number;
  /** Pacing intervals are divided by this: 1 for the store, `fallbackShare` for the local fallback. */
  readonly share: number;
}

/** @internal What one response teaches about a key. */
export interface Lesson {
  /**
   * `stated`: the server stated a rate (`intervalMs`); `refused`: a 429/503 that stated none;
   * `limited`: another response stating a limit with no window (`limit`); `answered`: any other
   * response (it ends a first contact: the server stated no limit).
   */
  readonly kind: 'stated' | 'refused' | 'limited' | 'answered';
  /** The limit stated with no window (`limited` only; 0 otherwise). */
  readonly limit: number;
  /** The stated interval, ms per unit (`stated` only; 0 otherwise). */
  readonly intervalMs: number;
  /** A hold to apply, ms (0: none); replaced by the backoff when `strike` is set. */
  readonly holdMs: number;
  /** A header-less refusal: count a strike and hold for the resulting backoff. */
  readonly strike: { readonly baseMs: number; readonly maxMs: number } | undefined;
  /** A success after strikes: forget them. */
  readonly clearStrikes: boolean;
  /** How long what is learned lives. */
  readonly ttlMs: number;
}

/** @internal What a store did with a {@link Lesson}. */
export interface LearnOutcome {
  /** The hold applied, ms (0: none). */
  readonly holdMs: number;
  /** The learned interval in force as of the change (ms per unit), or undefined when no rate is learned. */
  readonly intervalMs: number | undefined;
  /** Whether that interval is being probed upward (it was set by a refusal). */
  readonly probing: boolean;
}

/** The interval in force at `now` for a paced state (`learn > 0`). */
export function currentInterval(learn: number, probe: number | undefined, now: number): number {
  if (probe === undefined) return learn;
  if (probe > 0) return now > probe ? learn / (1 + INCREASE_PER_MS * (now - probe)) : learn;
  return now > -probe ? learn / 2 ** ((now + probe) / DOUBLING_MS) : learn;
}

/** A key's learned state after a lesson (see the top of this file); `learn` undefined: unknown. */
export interface LearnedState {
  readonly learn: number | undefined;
  readonly probe: number | undefined;
  readonly serial: number;
}

/**
 * The state after `lesson`, or `undefined` when the lesson changes nothing (and refreshes nothing:
 * learned state expires when the server stops saying things). `holdMs` is the hold just applied;
 * `serial` the `limited` answers counted so far (see the top of this file).
 */
export function learnStep(
  learn: number | undefined,
  probe: number | undefined,
  lesson: Pick<Lesson, 'kind' | 'intervalMs' | 'limit'>,
  holdMs: number,
  now: number,
  serial = 0,
): LearnedState | undefined {
  if (lesson.kind === 'stated') {
    // A probe after a refusal that is still slower than the stated rate goes on (the server's
    // statement did not keep it from refusing); once faster, the statement wins.
    if (learn !== undefined && learn > 0 && probe !== undefined && currentInterval(learn, probe, now) > lesson.intervalMs) {
      return { learn, probe, serial: 0 };
    }
    return { learn: lesson.intervalMs, probe: undefined, serial: 0 };
  }
  if (lesson.kind === 'refused') {
    const h = Math.max(holdMs, 1);
    if (learn !== undefined && learn > 0) {
      // Refusals during the hold of the last decrease belong to the same overload: one decrease.
      if (probe !== undefined && Math.abs(probe) > now) return { learn, probe, serial: 0 };
      const decrease = probe !== undefined && probe < 0 ? SLOW_START_DECREASE : DECREASE;
      return { learn: currentInterval(learn, probe, now) / decrease, probe: now + h, serial: 0 };
    }
    if (learn !== undefined && learn < 0) {
      // First refusal after a spell with no limit: start from the rate the server took, n units
      // over the spell and the hold it now asks for; then slow start.
      const n = -learn - 1;
      const since = probe ?? now;
      return { learn: n > 0 ? (now - since + h) / n : h, probe: -(now + h), serial: 0 };
    }
    return { learn: h, probe: -(now + h), serial: 0 };
  }
  if (learn === undefined || learn === 0) {
    // A limit with no window: the next call is a first contact again, until `limit` were answered.
    if (lesson.kind === 'limited' && serial + 1 < lesson.limit) return { learn: undefined, probe: undefined, serial: serial + 1 };
    return { learn: -1, probe: now, serial: 0 };
  }
  return undefined;
}

/** Which rule set a stated interval. */
export type StatedRule = 'policy' | 'quota';

/**
 * The interval (ms per unit) the server's headers state, the slowest of: each `RateLimit-Policy`
 * counted in requests (`w / q`); each live quota with units left (`t / r`: what is left spread over
 * the time left); and, for a legacy exhausted quota (`X-RateLimit-Remaining: 0`) with its limit and
 * reset, the limit over the wait to the reset, read to the nearest whole second (the unit of those
 * headers), at least one: legacy headers name no window, and a window lasts at least until its reset.
 */
export function statedInterval(hints: ServerHints): { intervalMs: number; rule: StatedRule } | undefined {
  let intervalMs = 0;
  let rule: StatedRule = 'policy';
  const consider = (ms: number, r: StatedRule): void => {
    if (Number.isFinite(ms) && ms > intervalMs) {
      intervalMs = ms;
      rule = r;
    }
  };
  for (const p of hints.policies) {
    if (p.windowMs !== undefined && p.windowMs > 0 && p.quota > 0 && (p.quotaUnit === undefined || p.quotaUnit === 'requests')) {
      consider(p.windowMs / p.quota, 'policy');
    }
  }
  if (hints.limits.length > 0) {
    for (const l of hints.limits) if (l.remaining > 0 && l.resetMs !== undefined && l.resetMs > 0) consider(l.resetMs / l.remaining, 'quota');
  } else if (hints.remaining !== undefined && hints.resetMs !== undefined) {
    if (hints.remaining > 0 && hints.resetMs > 0) consider(hints.resetMs / hints.remaining, 'quota');
    if (hints.remaining === 0 && hints.limit !== undefined && hints.limit > 0) {
      consider((Math.max(1, Math.round(hints.resetMs / 1_000)) * 1_000) / hints.limit, 'policy');
    }
  }
  return intervalMs > 0 ? { intervalMs, rule } : undefined;
}
