import { describe, expect, test } from 'vitest';
import {
  describeValue,
  expectInteger,
  expectName,
  expectNumber,
  expectOneOf,
  expectOptions,
  invalidOption,
  invalidPolicy,
  knownOptions,
  quote,
  timeout,
} from './index.js';

describe('option checks', () => {
  test('name the field, the value and what was expected', () => {
    expect(() => expectInteger('maxAttempts', -1, { min: 1 })).toThrow('Expected `maxAttempts` to be a positive integer, got -1.');
    expect(() => expectNumber('ratio', 2, { min: 0, max: 1 })).toThrow('Expected `ratio` to be a number from 0 to 1, got 2.');
    expect(() => expectNumber('ms', Infinity)).toThrow('Expected `ms` to be a finite number, got Infinity.');
    expect(() => expectNumber('ms', Infinity, { allowInfinity: true })).not.toThrow();
    expect(() => expectOneOf('mode', 'x', ['a', 'b'] as const)).toThrow('Expected `mode` to be one of "a", "b", got "x".');
    expect(() => expectName('')).toThrow('Expected `name` to be a non-empty string, got "".');
    expect(invalidOption('f', { a: 1 }, 'a thing').message).toBe('Expected `f` to be a thing, got an object (Object).');
  });

  test('invalidPolicy names a policy factory passed uncalled as one', () => {
    expect(invalidPolicy('policy', timeout).message).toBe(
      'Expected `policy` to be a Policy (an object with execute), not the factory that makes one: `timeout(…)`, got a function.',
    );
    expect(invalidPolicy('policy', 5, 'a Policy or a source').message).toBe('Expected `policy` to be a Policy or a source, got 5.');
    // A function without a usable name is not guessed at.
    expect(invalidPolicy('policy', Object.defineProperty(() => {}, 'name', { value: '' })).message).toBe(
      'Expected `policy` to be a Policy (an object with execute), got a function.',
    );
  });

  test('state bounds in words a person reads', () => {
    const message = (check: () => void): string => {
      try {
        check();
      } catch (error) {
        return (error as Error).message;
      }
      return 'no error';
    };
    // An exclusive bound says "above", never the smallest number above it.
    expect(message(() => expectNumber('ttlMs', 0, { above: 0 }))).toBe('Expected `ttlMs` to be a positive number, got 0.');
    expect(message(() => expectNumber('share', 0, { above: 0, max: 1 }))).toBe('Expected `share` to be a number above 0 and at most 1, got 0.');
    expect(message(() => expectNumber('share', 1.5, { above: 0, max: 1 }))).toBe('Expected `share` to be a number above 0 and at most 1, got 1.5.');
    expect(message(() => expectNumber('share', 0.5, { above: 0, max: 1 }))).toBe('no error');
    expect(message(() => expectNumber('x', 1, { above: 1 }))).toBe('Expected `x` to be a number above 1, got 1.');
    expect(message(() => expectInteger('n', 0, { above: 0 }))).toBe('Expected `n` to be a positive integer, got 0.');
    // Large bounds are grouped as they are written in code.
    expect(message(() => expectInteger('windowMs', 0, { min: 1, max: 3_155_760_000_000 }))).toBe(
      'Expected `windowMs` to be an integer from 1 to 3_155_760_000_000, got 0.',
    );
    expect(message(() => expectInteger('n', 5, { min: 30_000 }))).toBe('Expected `n` to be an integer of at least 30_000, got 5.');
    expect(message(() => expectNumber('x', 2, { max: 1.5 }))).toBe('Expected `x` to be a number of at most 1.5, got 2.');
    expect(message(() => expectNumber('objective', 1, { above: 0, below: 1 }))).toBe('Expected `objective` to be a number above 0 and below 1, got 1.');
    expect(message(() => expectNumber('refreshAheadMs', 300_000, { min: 0, below: 300_000 }))).toBe(
      'Expected `refreshAheadMs` to be a non-negative number below 300_000, got 300000.',
    );
    expect(message(() => expectNumber('x', 9, { min: 2, below: 5 }))).toBe('Expected `x` to be a number of at least 2 and below 5, got 9.');
    // A reason for the bounds follows them.
    expect(message(() => expectInteger('burst', 5, { min: 1, max: 4, reason: 'a full bucket must refill within a day' }))).toBe(
      'Expected `burst` to be an integer from 1 to 4 (a full bucket must refill within a day), got 5.',
    );
    // Infinity, where allowed, is said.
    expect(message(() => expectNumber('maxWaitMs', -1, { min: 0, allowInfinity: true }))).toBe(
      'Expected `maxWaitMs` to be a non-negative number or Infinity, got -1.',
    );
  });

  test('describe values without dumping them', () => {
    expect(describeValue('x'.repeat(100))).toBe(`"${'x'.repeat(50)}…" (100 characters)`);
    expect(describeValue([1, 2, 3])).toBe('an array of length 3');
    expect(describeValue(() => 1)).toBe('a function');
    expect(describeValue(undefined)).toBe('undefined');
  });

  test('a redacted value is described by its kind only', () => {
    expect(invalidOption('secrets.A', 123, 'a string', { redact: true }).message).toBe(
      'Expected `secrets.A` to be a string, got a number (its value is not shown).',
    );
  });

  test('a huge field name is cut', () => {
    expect(invalidOption(`secrets.${'A'.repeat(1e7)}`, 1, 'a string').message.length).toBeLessThan(200);
  });
});

describe('quote', () => {
  test('quotes a name with JSON escapes', () => {
    expect(quote('STRIPE_KEY')).toBe('"STRIPE_KEY"');
    expect(quote('a"b\nc')).toBe('"a\\"b\\nc"');
  });

  test('cuts a long name to a sane length and says how long it was', () => {
    const quoted = quote('k'.repeat(1e7));
    expect(quoted).toBe(`"${'k'.repeat(50)}…" (10000000 characters)`);
  });

  test('never cuts a surrogate pair in two', () => {
    const quoted = quote(`${'a'.repeat(49)}😀${'b'.repeat(20)}`);
    expect(quoted).toBe(`"${'a'.repeat(49)}…" (71 characters)`);
  });
});

describe('expectOptions with known options', () => {
  interface ThingOptions {
    readonly maxAttempts?: number;
    readonly ttlMs?: number;
    readonly name?: string;
    readonly nested?: { readonly size?: number };
  }
  const THING = knownOptions<ThingOptions>('thing()', { maxAttempts: ['retries'], ttlMs: [], name: [], nested: [] });
  const NESTED = knownOptions<NonNullable<ThingOptions['nested']>>('thing()', { size: [] });

  test('accepts known keys and undefined', () => {
    expect(() => expectOptions('options', { maxAttempts: 1, ttlMs: 2 }, THING)).not.toThrow();
    expect(() => expectOptions('options', undefined, THING)).not.toThrow();
  });

  test('refuses a Map or a Set, whose entries are no keys it could check (they would all be ignored)', () => {
    expect(() => expectOptions('options', new Map([['maxAttempts', 1]]), THING)).toThrow('Expected `options` to be an options object, got');
    expect(() => expectOptions('nested', new Set(['size']), NESTED)).toThrow('Expected `nested` to be an options object, got');
  });

  test('rejects an unknown key, naming the option another library calls that', () => {
    expect(() => expectOptions('options', { retries: 3 }, THING)).toThrow(
      new TypeError('Unknown option `retries` of thing(); did you mean `maxAttempts`?'),
    );
  });

  test('rejects a misspelt key, naming the closest known one', () => {
    expect(() => expectOptions('options', { ttl: 60 }, THING)).toThrow('Unknown option `ttl` of thing(); did you mean `ttlMs`?');
    expect(() => expectOptions('options', { nmae: 'x' }, THING)).toThrow('Unknown option `nmae` of thing(); did you mean `name`?');
    expect(() => expectOptions('options', { MaxAttempts: 1 }, THING)).toThrow('did you mean `maxAttempts`?');
  });

  test('lists the options when none is close', () => {
    expect(() => expectOptions('options', { colour: 'red' }, THING)).toThrow(
      'Unknown option `colour` of thing(); the options are `maxAttempts`, `ttlMs`, `name`, `nested`.',
    );
  });

  test('names a nested key by its path', () => {
    expect(() => expectOptions('nested', { sise: 1 }, NESTED)).toThrow('Unknown option `nested.sise` of thing(); did you mean `nested.size`?');
  });

  test('still rejects what is not an options object', () => {
    expect(() => expectOptions('options', 5, THING)).toThrow('Expected `options` to be an options object, got 5.');
  });
});
