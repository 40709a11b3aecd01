import { createFakeClock } from '@bulwark/core';
import { describe, expect, test } from 'vitest';
import { seeded } from '../test/random.js';
import { ewmaDetector, type AnomalyEvent } from './index.js';

describe('ewmaDetector', () => {
  test('catches spikes injected at known points of a noisy series, and nothing else', () => {
    const rng = seeded(7);
    const detector = ewmaDetector({ name: 'queue', warmup: 30 });
    const seen: number[] = [];
    detector.onAnomaly(() => seen.push(-1));
    const caught: number[] = [];
    const spikes = new Set([200, 450, 800]);
    for (let i = 0; i < 1000; i++) {
      const value = rng.normal(100, 5) + (spikes.has(i) ? 60 : 0);
      if (detector.observe(value) !== undefined) caught.push(i);
    }
    expect(caught).toEqual([200, 450, 800]);
    expect(seen).toHaveLength(3);
  });

  test('reports the numbers that tripped it', () => {
    const clock = createFakeClock({ now: 1_000 });
    const detector = ewmaDetector({ name: 'latency', warmup: 4, threshold: 3, clock });
    for (const v of [10, 12, 10, 12]) expect(detector.observe(v)).toBeUndefined();
    expect(detector.warm).toBe(true);
    expect(detector.mean).toBe(11);
    const event = detector.observe(50) as AnomalyEvent;
    const sd = Math.sqrt(4 / 3);
    expect(event).toMatchObject({ name: 'latency', value: 50, mean: 11, threshold: 3, direction: 'up', samples: 5, at: 1_000 });
    expect(event.stdDev).toBeCloseTo(sd);
    expect(event.deviations).toBeCloseTo(39 / sd);
    expect(event.band.high).toBeCloseTo(11 + 3 * sd);
    expect(event.band.low).toBeCloseTo(11 - 3 * sd);
  });

  test('no false alarm on steady noise over a long run (fixed seed)', () => {
    const rng = seeded(12345);
    const detector = ewmaDetector();
    let alarms = 0;
    for (let i = 0; i < 10_000; i++) if (detector.observe(rng.normal(250, 20)) !== undefined) alarms++;
    expect(alarms).toBe(0);
  });

  test('false alarms on steady Gaussian noise stay rare across seeds (about 1 in 60,000 observations)', () => {
    let alarms = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const rng = seeded(seed);
      const detector = ewmaDetector();
      for (let i = 0; i < 10_000; i++) if (detector.observe(rng.normal(250, 20)) !== undefined) alarms++;
    }
    expect(alarms).toBeLessThanOrEqual(4);
  });

  test('one spike does not blind it; a lasting shift becomes the new normal', () => {
    const rng = seeded(3);
    const detector = ewmaDetector({ warmup: 20 });
    for (let i = 0; i < 50; i++) detector.observe(rng.normal(100, 2));
    expect(detector.observe(1_000_000)).toBeDefined();
    expect(detector.observe(rng.normal(100, 2) + 30)).toBeDefined(); // still sensitive right after
    let alarms = 0;
    for (let i = 0; i < 300; i++) if (detector.observe(rng.normal(200, 2)) !== undefined) alarms++;
    expect(alarms).toBeGreaterThan(0);
    expect(alarms).toBeLessThan(100);
    expect(detector.mean).toBeGreaterThan(190);
  });

  test('direction, floors and validation', () => {
    const down = ewmaDetector({ warmup: 2, direction: 'down' });
    down.observe(10);
    down.observe(12);
    expect(down.observe(100)).toBeUndefined();
    expect(down.observe(-100)?.direction).toBe('down');
    const floored = ewmaDetector({ warmup: 2, minDeviation: 5 });
    floored.observe(10);
    floored.observe(10); // no spread at all: only the floor stops a tiny change from alarming
    expect(floored.observe(14)).toBeUndefined();
    expect(floored.observe(16)?.deviations).toBeGreaterThan(5);
    const flat = ewmaDetector({ warmup: 2 });
    flat.observe(3);
    flat.observe(3);
    expect(flat.observe(4)?.deviations).toBe(Infinity);
    const relative = () => {
      const d = ewmaDetector({ warmup: 2, minRelativeDeviation: 0.5 });
      d.observe(100);
      d.observe(100);
      return d;
    };
    expect(relative().observe(149)).toBeUndefined();
    expect(relative().observe(151)?.band).toEqual({ low: 50, high: 150 });
    expect(() => ewmaDetector({ alpha: 0 })).toThrow('Expected `alpha` to be a number above 0 and at most 1, got 0.');
    expect(() => ewmaDetector({ warmup: 1 })).toThrow('Expected `warmup` to be an integer of at least 2, got 1.');
    expect(() => ewmaDetector().observe(Number.NaN)).toThrow('Expected `value` to be a finite number, got NaN.');
  });
});
