import { seededRandom } from '@bulwark/core';

/** Seeded draws, so synthetic series are the same on every run. */
export function seeded(seed: number) {
  const next = seededRandom(seed);
  /** Normal(mean, sd) by Box–Muller. */
  const normal = (mean: number, sd: number): number => {
    const u = Math.max(next(), 1e-12);
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
  };
  return { next, normal };
}
