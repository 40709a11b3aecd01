import { describe, expect, test } from 'vitest';
import { describeValue, expectInteger, expectName, expectNumber, expectOneOf, invalidOption } from './index.js';

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

  test('describe values without dumping them', () => {
    expect(describeValue('x'.repeat(100))).toHaveLength(62);
    expect(describeValue([1, 2, 3])).toBe('an array of length 3');
    expect(describeValue(() => 1)).toBe('a function');
    expect(describeValue(undefined)).toBe('undefined');
  });
});
