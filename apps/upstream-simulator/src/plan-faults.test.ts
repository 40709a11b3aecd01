import { describe, expect, test } from 'vitest';
import { ConfigError, planFaults, type PlannedRequest } from './index.js';

const share = (plan: readonly PlannedRequest[], keep: (r: PlannedRequest) => boolean): number => plan.filter(keep).length / plan.length;

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

describe('planFaults', () => {
  // Fixed seeds: every figure below is the same on every run; the bounds allow for sampling, not chance.
  test('hard: about 20% server errors spread over 500/502/503, 2% hangs of 10 s, 2% drops', () => {
    const plan = planFaults('hard', { count: 20_000 });
    expect(share(plan, (r) => r.kind === 'error')).toBeCloseTo(0.2, 2);
    expect(share(plan, (r) => r.kind === 'hang')).toBeCloseTo(0.02, 2);
    expect(share(plan, (r) => r.kind === 'drop')).toBeCloseTo(0.02, 2);
    for (const status of [500, 502, 503]) expect(share(plan, (r) => r.status === status)).toBeCloseTo(0.2 / 3, 2);
    expect(new Set(plan.filter((r) => r.kind === 'hang').map((r) => r.delayMs))).toEqual(new Set([10_000]));
  });

  test('latency is lognormal with the profile p50 and p99, capped at maxMs', () => {
    const delays = planFaults({ latency: { p50Ms: 50, p99Ms: 500, maxMs: 2_000 } }, { count: 20_000, seed: 9 }).map((r) => r.delayMs!);
    expect(percentile(delays, 50)).toBeGreaterThan(46);
    expect(percentile(delays, 50)).toBeLessThan(54);
    expect(percentile(delays, 99)).toBeGreaterThan(440);
    expect(percentile(delays, 99)).toBeLessThan(560);
    expect(Math.max(...delays)).toBeLessThanOrEqual(2_000);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
  });

  test('the same seed gives the same plan; a request fate depends on its number alone', () => {
    const whole = planFaults('hard', { count: 200, seed: 5 });
    expect(planFaults('hard', { count: 200, seed: 5 })).toEqual(whole);
    expect(planFaults('hard', { count: 50, from: 150, seed: 5 })).toEqual(whole.slice(150));
    expect(planFaults('hard', { count: 200, seed: 6 })).not.toEqual(whole);
    expect(planFaults({ extends: 'hard', seed: 5 }, { count: 200 })).toEqual(whole);
  });

  test('a calm run plans no faults', () => {
    expect(planFaults('calm', { count: 1_000 }).every((r) => r.kind === 'ok' && r.status === 200)).toBe(true);
  });

  test('refuses a bad count or seed', () => {
    expect(() => planFaults('calm', { count: -1 })).toThrow(new ConfigError('count', -1, 'a non-negative integer'));
    expect(() => planFaults('calm', { count: 1, seed: 2 ** 32 })).toThrow('Expected `seed` to be an integer from 0 to 4294967295, got 4294967296.');
  });
});
