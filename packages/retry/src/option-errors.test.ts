import { describe, expect, test } from 'vitest';
import { decorrelatedJitterBackoff, exponentialBackoff, retry, retryBudget } from './index.js';

describe('unknown option keys are refused, naming the option meant', () => {
  test.each([
    ['retry', () => retry({ retries: 3 } as never), 'Unknown option `retries` of retry(); did you mean `maxAttempts`?'],
    ['retry (hedge)', () => retry({ hedge: { delay: 5 } } as never), 'Unknown option `hedge.delay` of retry(); did you mean `hedge.delayMs`?'],
    ['exponentialBackoff', () => exponentialBackoff({ minTimeout: 100 } as never), 'Unknown option `minTimeout` of exponentialBackoff(); did you mean `initialDelayMs`?'],
    ['decorrelatedJitterBackoff', () => decorrelatedJitterBackoff({ initialDelay: 100 } as never), 'Unknown option `initialDelay` of decorrelatedJitterBackoff(); did you mean `initialDelayMs`?'],
    ['retryBudget', () => retryBudget({ ratioo: 0.1 } as never), 'Unknown option `ratioo` of retryBudget(); did you mean `ratio`?'],
  ])('%s', (_name, make, message) => {
    expect(make).toThrow(new TypeError(message));
  });
});
