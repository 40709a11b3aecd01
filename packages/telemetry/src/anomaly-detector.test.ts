import { createFakeClock } from '@bulwark/core';
import { describe, expect, test } from 'vitest';
import { seeded } from '../test/random.js';
import { anomalyDetector, type CallAnomalyEvent } from './index.js';

const INTERVAL = 10_000;

/** Drives `intervals` intervals of `perInterval` calls each through the detector on a fake clock. */
function drive(options: {
  seed: number;
  intervals: number;
  perInterval: number;
  latency: (i: number) => { mean: number; sd: number };
  errorRate: (i: number) => number;
}) {
  const clock = createFakeClock();
  const rng = seeded(options.seed);
  const detector = anomalyDetector({ name: 'upstream', clock, intervalMs: INTERVAL });
  const events: CallAnomalyEvent[] = [];
  detector.onAnomaly((e) => events.push(e));
  const step = INTERVAL / options.perInterval;
  for (let i = 0; i < options.intervals; i++) {
    const { mean, sd } = options.latency(i);
    for (let c = 0; c < options.perInterval; c++) {
      detector.record(Math.max(0, rng.normal(mean, sd)), rng.next() >= options.errorRate(i));
      clock.tick(step);
    }
  }
  detector.flush();
  return events.map((e) => ({ ...e, interval: e.intervalStartMs / INTERVAL }));
}

describe('anomalyDetector', () => {
  test('catches a latency regression and an error burst at the intervals they happen', () => {
    const events = drive({
      seed: 1,
      intervals: 300,
      perInterval: 50,
      latency: (i) => (i >= 150 && i < 153 ? { mean: 400, sd: 40 } : { mean: 120, sd: 30 }),
      errorRate: (i) => (i >= 220 && i < 222 ? 0.3 : 0.01),
    });
    const latency = events.filter((e) => e.signal === 'latency');
    const errors = events.filter((e) => e.signal === 'error_rate');
    expect(latency.map((e) => e.interval)).toEqual([150, 151, 152]);
    expect(errors.map((e) => e.interval)).toEqual([220, 221]);
    const first = latency[0]!;
    expect(first).toMatchObject({ name: 'upstream', direction: 'up', requests: 50, intervalStartMs: 1_500_000, intervalEndMs: 1_510_000 });
    expect(first.value).toBeGreaterThan(first.band.high);
    expect(first.mean).toBeGreaterThan(110);
    expect(first.mean).toBeLessThan(130);
    expect(errors[0]!.value).toBe(errors[0]!.errors / 50);
    expect(errors[0]!.errors).toBeGreaterThan(5);
  });

  test('no false alarm on steady noise (fixed seed), small intervals included', () => {
    for (const [seed, perInterval, errorRate] of [[11, 50, 0.02], [12, 20, 0.05], [13, 200, 0.001]] as const) {
      const events = drive({ seed, intervals: 1_000, perInterval, latency: () => ({ mean: 80, sd: 25 }), errorRate: () => errorRate });
      expect({ seed, events: events.length }).toEqual({ seed, events: 0 });
    }
  });

  test('intervals with fewer calls than minSamples are not judged', () => {
    const events = drive({
      seed: 5,
      intervals: 100,
      perInterval: 10, // below the default minSamples of 20
      latency: (i) => ({ mean: i > 50 ? 5_000 : 100, sd: 10 }),
      errorRate: (i) => (i > 50 ? 1 : 0),
    });
    expect(events).toEqual([]);
  });

  test('validates its options', () => {
    expect(() => anomalyDetector({ intervalMs: 0 })).toThrow('Expected `intervalMs` to be a number of at least 1, got 0.');
    expect(() => anomalyDetector({ errorRateMinDeviation: 2 })).toThrow('errorRateMinDeviation');
    expect(() => anomalyDetector().record(-1, true)).toThrow('Expected `durationMs` to be a non-negative number, got -1.');
  });
});
