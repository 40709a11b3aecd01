import { expectInteger } from './validate.js';

/**
 * A small seeded pseudo-random generator (mulberry32): uniform floats in [0, 1), the same sequence
 * for the same seed. `chaos` draws from it; use it wherever a test needs reproducible randomness
 * (jitter, synthetic series). Not for anything secret.
 *
 * @example
 * ```ts
 * const random = seededRandom(42);
 * const jitter = random() * 100;
 * ```
 */
export function seededRandom(seed: number): () => number {
  // `seededRandom()` in plain JavaScript would seed with 0, and `seededRandom('42')` likewise, unseen.
  expectInteger('seed', seed);
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
