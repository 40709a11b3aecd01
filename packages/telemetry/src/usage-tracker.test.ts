import { createFakeClock } from '@bulwark/core';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { meterWithReader } from '../test/pull-reader.js';
import { USAGE_OVERFLOW_KEY, usageTracker } from './index.js';

const exact = (sorted: number[], q: number) => sorted[Math.floor(q * (sorted.length - 1))]!;

describe('usageTracker', () => {
  test('counts requests and errors per API and per key, with percentiles', () => {
    const usage = usageTracker();
    for (let i = 1; i <= 100; i++) usage.record('validate', i % 2 === 0 ? 'key-a' : 'key-b', i, i % 10 !== 0);
    usage.record('lookup', undefined, 5, true);
    const { apis } = usage.snapshot();
    expect(apis.validate).toMatchObject({ requests: 100, errors: 10, errorRate: 0.1 });
    expect(apis.validate!.keys['key-a']).toMatchObject({ requests: 50, errors: 10 });
    expect(apis.validate!.keys['key-b']).toMatchObject({ requests: 50, errors: 0, errorRate: 0 });
    const latency = apis.validate!.latencyMs!;
    expect(latency.min).toBe(1);
    expect(latency.max).toBe(100);
    expect(latency.mean).toBe(50.5);
    expect(Math.abs(latency.p50 - 50) / 50).toBeLessThanOrEqual(0.01);
    expect(Math.abs(latency.p99 - 99) / 99).toBeLessThanOrEqual(0.01);
    expect(apis.lookup).toMatchObject({ requests: 1, keys: {} });
  });

  test('percentiles are within 1 % of the exact sample of that rank, for any data (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0.01, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 400 }), (values) => {
        const usage = usageTracker();
        for (const v of values) usage.record('api', undefined, v, true);
        const stats = usage.snapshot().apis.api!.latencyMs!;
        const sorted = [...values].sort((a, b) => a - b);
        const within = (got: number, q: number) => Math.abs(got - exact(sorted, q)) <= 0.01 * exact(sorted, q) + 1e-9;
        expect(within(stats.p50, 0.5) && within(stats.p90, 0.9) && within(stats.p95, 0.95) && within(stats.p99, 0.99)).toBe(true);
        expect([stats.min, stats.max]).toEqual([sorted[0], sorted.at(-1)]);
      }),
      { numRuns: 300, seed: 42 },
    );
  });

  test('memory is bounded: keys past the cap are counted under the overflow key, nothing dropped', () => {
    const usage = usageTracker({ maxKeysPerApi: 5, maxApis: 3 });
    for (let user = 0; user < 10_000; user++) usage.record('validate', `user-${user}`, 10, true);
    usage.record('a', undefined, 1, true);
    usage.record('b', undefined, 1, false);
    usage.record('c', undefined, 1, false);
    const { apis } = usage.snapshot();
    const keys = apis.validate!.keys;
    expect(Object.keys(keys)).toHaveLength(5);
    expect(keys[USAGE_OVERFLOW_KEY]!.requests).toBe(10_000 - 4);
    expect(Object.keys(apis).sort()).toEqual([USAGE_OVERFLOW_KEY, 'a', 'validate'].sort());
    expect(apis[USAGE_OVERFLOW_KEY]).toMatchObject({ requests: 2, errors: 2 });
  });

  test('policy() times calls on the clock and counts a rejection as an error; snapshot can reset', async () => {
    const clock = createFakeClock();
    const usage = usageTracker({ clock });
    const policy = usage.policy('geo', 'tenant-1');
    const call = policy.execute(() => new Promise<string>((resolve) => clock.setTimeout(() => resolve('ok'), 120)));
    await clock.tickAsync(120);
    expect(await call).toBe('ok');
    const failed = await policy.executeResult(() => Promise.reject(new Error('503')));
    expect(failed.isErr()).toBe(true);
    const first = usage.snapshot({ reset: true });
    expect(first.apis.geo!.keys['tenant-1']).toMatchObject({ requests: 2, errors: 1, errorRate: 0.5 });
    expect(first.apis.geo!.latencyMs!.max).toBe(120);
    expect(usage.snapshot().apis).toEqual({});
  });

  test('with a meter, requests and durations also become capped OpenTelemetry metrics', async () => {
    const { reader, meter } = meterWithReader();
    const usage = usageTracker({ meter, cardinalityLimit: 3 });
    usage.record('validate', 'k1', 250, true);
    usage.record('validate', 'k1', 50, false);
    usage.record('validate', 'k2', 10, true);
    usage.record('validate', 'k3', 10, true);
    const { resourceMetrics } = await reader.collect();
    const metrics = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
    const requests = metrics.find((m) => m.descriptor.name === 'bulwark.usage.requests')!.dataPoints;
    expect(requests.map((p) => [p.attributes, p.value])).toEqual([
      [{ 'bulwark.api': 'validate', 'bulwark.call.outcome': 'success', 'bulwark.key': 'k1' }, 1],
      [{ 'bulwark.api': 'validate', 'bulwark.call.outcome': 'failure', 'bulwark.key': 'k1' }, 1],
      [{ 'otel.metric.overflow': true }, 2],
    ]);
    const duration = metrics.find((m) => m.descriptor.name === 'bulwark.usage.duration')!.dataPoints;
    const success = duration.find((p) => p.attributes['bulwark.call.outcome'] === 'success')!.value as { sum: number; count: number };
    expect(success.count).toBe(3);
    expect(success.sum).toBeCloseTo(0.27);
  });

  test('rejects bad options and arguments by name', () => {
    expect(() => usageTracker({ maxKeysPerApi: 0 })).toThrow('Expected `maxKeysPerApi` to be an integer of at least 2, got 0.');
    expect(() => usageTracker().policy('')).toThrow('Expected `api` to be a non-empty string, got "".');
  });

  test('record() refuses what it would count wrongly, and counts nothing', () => {
    const usage = usageTracker();
    // NaN and negative durations read as 0 ms calls; a truthy `ok` that is not `true` as a success.
    expect(() => usage.record('upstream', 'k', Number.NaN, true)).toThrow(new TypeError('Expected `durationMs` to be a non-negative number, got NaN.'));
    expect(() => usage.record('upstream', 'k', -5, true)).toThrow(new TypeError('Expected `durationMs` to be a non-negative number, got -5.'));
    expect(() => usage.record('upstream', 'k', '12' as never, true)).toThrow(new TypeError('Expected `durationMs` to be a non-negative number, got "12".'));
    expect(() => usage.record('upstream', 'k', 12, 'no' as never)).toThrow(new TypeError('Expected `ok` to be a boolean, got "no".'));
    expect(() => usage.record('', 'k', 12, true)).toThrow(new TypeError('Expected `api` to be a non-empty string, got "".'));
    expect(usage.snapshot().apis).toEqual({});
  });
});
