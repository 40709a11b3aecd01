import { describe, expect, test } from 'vitest';
import { cache } from './index.js';

describe('unknown option keys are refused, naming the option meant', () => {
  test.each([
    ['cache', () => cache({ ttl: 60 } as never), 'Unknown option `ttl` of cache(); did you mean `ttlMs`?'],
    ['cache (another library\'s name)', () => cache({ max: 500 } as never), 'Unknown option `max` of cache(); did you mean `maxEntries`?'],
    ['cache (sealing)', () => cache({ sealing: { key: [] } } as never), 'Unknown option `sealing.key` of cache(); did you mean `sealing.keys`?'],
  ])('%s', (_name, make, message) => {
    expect(make).toThrow(new TypeError(message));
  });
});

describe('bounds are stated in words a person reads', () => {
  test.each([
    [{ ttlMs: 0 }, 'Expected `ttlMs` to be a positive number, got 0.'],
    [{ negativeTtlMs: -1 }, 'Expected `negativeTtlMs` to be a positive number, got -1.'],
  ])('%o', (options, message) => {
    expect(() => cache(options)).toThrow(new TypeError(message));
  });
});
