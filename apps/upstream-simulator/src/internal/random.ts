// Seeded randomness. Each request draws from a stream of its own, derived from the run's seed and the
// request's number, so the n-th request meets the same fault in every run with the same seed, however
// the requests before it were timed or interleaved.

const GOLDEN = 0x9e3779b9;

/** splitmix32's finaliser: a well-mixed 32-bit hash of a 32-bit input. */
function mix32(input: number): number {
  let z = input >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

/** Uniform floats in [0, 1) from a splitmix32 sequence. */
function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + GOLDEN) >>> 0;
    return mix32(state) / 4294967296;
  };
}

/** The random stream of the request numbered `index` (0-based) in a run seeded with `seed`. */
export function requestRandom(seed: number, index: number): () => number {
  return splitmix32(mix32(mix32(seed) ^ Math.imul(index + 1, GOLDEN)));
}

// The standard normal quantile at 0.99: a lognormal's p99 sits this many sigmas above its median.
const Z_99 = 2.3263478740408408;

/**
 * A lognormal draw given its median and 99th percentile (two uniforms through Box–Muller), capped at
 * `maxMs`. A p99 equal to the median gives that value every time.
 */
export function lognormalMs(p50Ms: number, p99Ms: number, maxMs: number, u1: number, u2: number): number {
  if (p50Ms === 0) return 0;
  const sigma = Math.log(p99Ms / p50Ms) / Z_99;
  const z = Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
  return Math.min(maxMs, Math.round(p50Ms * Math.exp(sigma * z)));
}
