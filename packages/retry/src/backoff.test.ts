import { describe, expect, test } from 'vitest';
import { constantBackoff, decorrelatedJitterBackoff, exponentialBackoff, type BackoffContext } from './index.js';

const ctx = (over: Partial<BackoffContext>): BackoffContext => ({
  attempt: 1,
  error: new Error('x'),
  previousDelayMs: 0,
  maxDelayMs: 30_000,
  random: () => 0.5,
  ...over,
});

describe('exponentialBackoff', () => {
  test('full jitter: a random share of a ceiling that grows by the factor', () => {
    const backoff = exponentialBackoff({ initialDelayMs: 100, factor: 2 });
    expect([1, 2, 3, 4].map((attempt) => backoff(ctx({ attempt })))).toEqual([50, 100, 200, 400]);
    expect(backoff(ctx({ attempt: 3, random: () => 0 }))).toBe(0);
    expect(backoff(ctx({ attempt: 3, random: () => 0.999 }))).toBeCloseTo(399.6);
  });

  test('no jitter: the ceiling itself, capped at maxDelayMs even for huge attempts', () => {
    const backoff = exponentialBackoff({ initialDelayMs: 100, factor: 3, jitter: 'none' });
    expect([1, 2, 3].map((attempt) => backoff(ctx({ attempt })))).toEqual([100, 300, 900]);
    expect(backoff(ctx({ attempt: 5_000, maxDelayMs: 1_000 }))).toBe(1_000);
  });

  test('validates its options', () => {
    expect(() => exponentialBackoff({ factor: 0.5 })).toThrow('Expected `factor` to be a number of at least 1, got 0.5.');
    expect(() => exponentialBackoff({ initialDelayMs: -1 })).toThrow(
      'Expected `initialDelayMs` to be a non-negative number, got -1.',
    );
    expect(() => exponentialBackoff({ jitter: 'half' as never })).toThrow(
      'Expected `jitter` to be one of "full", "none", got "half".',
    );
  });
});

describe('decorrelatedJitterBackoff', () => {
  test('draws from [initialDelayMs, 3 × previous), capped', () => {
    const backoff = decorrelatedJitterBackoff({ initialDelayMs: 100 });
    expect(backoff(ctx({ previousDelayMs: 0, random: () => 0.5 }))).toBe(100);
    expect(backoff(ctx({ previousDelayMs: 200, random: () => 0 }))).toBe(100);
    expect(backoff(ctx({ previousDelayMs: 200, random: () => 0.5 }))).toBe(350);
    expect(backoff(ctx({ previousDelayMs: 20_000, random: () => 0.9, maxDelayMs: 5_000 }))).toBe(5_000);
  });
});

describe('constantBackoff', () => {
  test('always the same wait', () => {
    const backoff = constantBackoff(250);
    expect([1, 7].map((attempt) => backoff(ctx({ attempt })))).toEqual([250, 250]);
    expect(() => constantBackoff(-1)).toThrow('Expected `delayMs` to be a non-negative number, got -1.');
  });
});
