import { describe, expect, test } from 'vitest';
import { bulkhead, chaos, createFakeClock, fallback, sleep, timeout, timeoutSignal } from './index.js';

// An option the factory does not know is a mistake (a typo, another library's name): refused at
// construction, naming the option meant, never silently ignored.
describe('unknown option keys are refused, naming the option meant', () => {
  test.each([
    ['timeout', () => timeout(100, { stratgy: 'cooperative' } as never), 'Unknown option `stratgy` of timeout(); did you mean `strategy`?'],
    ['bulkhead', () => bulkhead({ concurrency: 5 } as never), 'Unknown option `concurrency` of bulkhead(); did you mean `limit`?'],
    ['fallback', () => fallback(0, { shouldHandle: () => true } as never), 'Unknown option `shouldHandle` of fallback(); did you mean `when`?'],
    ['chaos', () => chaos({ errorRate: 0.1 } as never), 'Unknown option `errorRate` of chaos(); did you mean `faultRate`?'],
    ['createFakeClock', () => createFakeClock({ start: 5 } as never), 'Unknown option `start` of createFakeClock(); did you mean `now`?'],
    ['sleep', () => sleep(1, { unreff: true } as never), 'Unknown option `unreff` of sleep(); did you mean `unref`?'],
    ['timeoutSignal', () => timeoutSignal(1, { clok: createFakeClock() } as never), 'Unknown option `clok` of timeoutSignal(); did you mean `clock`?'],
  ])('%s', (_name, make, message) => {
    expect(make).toThrow(new TypeError(message));
  });

  test('an option no known one is close to: the options are listed', () => {
    expect(() => bulkhead({ limit: 1, colour: 'red' } as never)).toThrow(
      new TypeError('Unknown option `colour` of bulkhead(); the options are `limit`, `queue`, `name`.'),
    );
  });
});
