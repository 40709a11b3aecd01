import { metrics } from '@opentelemetry/api';
import { describe, expect, test } from 'vitest';
import { anomalyDetector, burnRateAlerts, ewmaDetector, health, policyMetrics, usageTracker } from './index.js';

describe('unknown option keys are refused, naming the option meant', () => {
  test.each([
    ['usageTracker', () => usageTracker({ maxApi: 5 } as never), 'Unknown option `maxApi` of usageTracker(); did you mean `maxApis`?'],
    ['usageTracker (maxKeys)', () => usageTracker({ maxKeys: 5 } as never), 'Unknown option `maxKeys` of usageTracker(); did you mean `maxKeysPerApi`?'],
    ['health', () => health({ serviceID: 'x' } as never), 'Unknown option `serviceID` of health(); did you mean `serviceId`?'],
    [
      'health (checks)',
      () => health({ checks: [{ name: 'db', check: async () => ({ status: 'pass' }), timeout: 5 }] } as never),
      'Unknown option `checks[0].timeout` of health(); did you mean `checks[0].timeoutMs`?',
    ],
    ['ewmaDetector', () => ewmaDetector({ alpah: 0.5 } as never), 'Unknown option `alpah` of ewmaDetector(); did you mean `alpha`?'],
    ['anomalyDetector', () => anomalyDetector({ interval: 1_000 } as never), 'Unknown option `interval` of anomalyDetector(); did you mean `intervalMs`?'],
    ['burnRateAlerts', () => burnRateAlerts({ objective: 0.99, bucket: 1_000 } as never), 'Unknown option `bucket` of burnRateAlerts(); did you mean `bucketMs`?'],
    [
      'burnRateAlerts (windows)',
      () => burnRateAlerts({ objective: 0.99, windows: [{ severity: 'page', longWindowMs: 3_600_000, shortWindowMs: 300_000, factr: 14.4 }] } as never),
      'Unknown option `windows[0].factr` of burnRateAlerts(); did you mean `windows[0].factor`?',
    ],
    ['policyMetrics', () => policyMetrics(metrics.getMeter('test'), { cardinality: 10 } as never), 'Unknown option `cardinality` of policyMetrics(); did you mean `cardinalityLimit`?'],
    ['measure', () => policyMetrics(metrics.getMeter('test')).measure({ nme: 'upstream' } as never), 'Unknown option `nme` of measure(); did you mean `name`?'],
    ['snapshot', () => usageTracker().snapshot({ rest: true } as never), 'Unknown option `rest` of snapshot(); did you mean `reset`?'],
    ['snapshot (reset)', () => usageTracker().snapshot({ reset: 'yes' } as never), 'Expected `reset` to be a boolean, got "yes".'],
    ['observe', () => ewmaDetector().observe(1, { stdDevFlor: 2 } as never), 'Unknown option `stdDevFlor` of observe(); did you mean `stdDevFloor`?'],
    ['observe (stdDevFloor)', () => ewmaDetector().observe(1, { stdDevFloor: -1 }), 'Expected `stdDevFloor` to be a non-negative number, got -1.'],
  ])('%s', (_name, make, message) => {
    expect(make).toThrow(new TypeError(message));
  });
});

describe('bounds are stated in words a person reads', () => {
  test.each([
    [() => ewmaDetector({ alpha: 0 }), 'Expected `alpha` to be a number above 0 and at most 1, got 0.'],
    [() => burnRateAlerts({ objective: 1 }), 'Expected `objective` to be a number above 0 and below 1 (such as 0.999), got 1.'],
    // Every policy name is non-empty, by the toolkit's one event rule: it becomes `bulwark.policy.name`.
    [() => policyMetrics(metrics.getMeter('test')).measure({ name: '' }), 'Expected `name` to be a non-empty string, got "".'],
  ])('%#', (make, message) => {
    expect(make).toThrow(new TypeError(message));
  });
});
