import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { isSecret, REDACTED, Secret, secret } from './index.js';

const VALUE = 'hunter2-but-longer-0123'; // bulwark-allow-secret (test fixture)

describe('Secret', () => {
  test('every rendering is redacted; reveal() gives the value', () => {
    const s = secret(VALUE, { name: 'DB_PASSWORD', version: 'v2' });
    const renderings = [
      String(s),
      `${s}`,
      'x' + s,
      s.toString(),
      JSON.stringify(s),
      JSON.stringify({ nested: { s } }),
      inspect(s),
      inspect({ deep: [{ s }] }, { depth: 10, showHidden: true }),
      inspect(s, { customInspect: false, showHidden: true, depth: 10 }),
      JSON.stringify(structuredClone({ s })),
      JSON.stringify({ ...s }),
      Object.values(s).join(','),
    ];
    for (const r of renderings) expect(r).not.toContain(VALUE);
    expect(String(s)).toBe(REDACTED);
    expect(JSON.stringify({ s })).toBe('{"s":"[REDACTED]"}');
    expect(inspect(s)).toBe('Secret(DB_PASSWORD v2) [REDACTED]');
    expect(s.reveal()).toBe(VALUE);
    expect(s.name).toBe('DB_PASSWORD');
    expect(s.version).toBe('v2');
  });

  test('redaction holds for any value (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 12 }), (value) => {
        fc.pre(!`Secret ${REDACTED}`.includes(value));
        const s = secret(value);
        for (const r of [String(s), `${s}`, JSON.stringify({ s }), inspect({ s }, { depth: 5 }), JSON.stringify(structuredClone({ s }))]) {
          if (r.includes(value)) return false;
        }
        return s.reveal() === value;
      }),
    );
  });

  test('equals compares values in constant time, with plain values or other secrets', () => {
    const a = secret('same-value');
    expect(a.equals('same-value')).toBe(true);
    expect(a.equals(secret('same-value'))).toBe(true);
    expect(a.equals('same-valuE')).toBe(false);
    expect(a.equals('same-value-but-longer')).toBe(false);
    expect(a.equals('')).toBe(false);
    const bytes = secret(new Uint8Array([1, 2, 3]));
    expect(bytes.equals(new Uint8Array([1, 2, 3]))).toBe(true);
    expect(bytes.equals(new Uint8Array([1, 2, 4]))).toBe(false);
  });

  test('equals agrees with === for any pair of strings (property)', () => {
    fc.assert(fc.property(fc.string(), fc.string(), (x, y) => secret(x).equals(y) === (x === y)));
  });

  test('map derives a new secret without revealing, keeping name and version', () => {
    const url = secret('postgres://app:pw@db/app', { name: 'DATABASE_URL', version: 'v1' }).map((v) => new URL(v)); // bulwark-allow-secret (test fixture)
    expect(url).toBeInstanceOf(Secret);
    expect(url.reveal().hostname).toBe('db');
    expect(url.name).toBe('DATABASE_URL');
    expect(String(url)).toBe(REDACTED);
  });

  test.each([
    ['an unknown key', () => secret(VALUE, { nme: 'DB_PASSWORD' } as never), 'Unknown option `nme` of secret(); did you mean `name`?'],
    ['a name from another library', () => secret(VALUE, { key: 'DB_PASSWORD' } as never), 'Unknown option `key` of secret(); did you mean `name`?'],
    [
      'a name that is not a string',
      () => secret(VALUE, { name: 5 } as never),
      "Expected `name` to be a string (the secret's name, such as `STRIPE_API_KEY`), got a number (its value is not shown).",
    ],
    ['a version that is not a string', () => new Secret(VALUE, { version: 3 } as never), 'Expected `version` to be a string (such as `v3`), got a number (its value is not shown).'],
    [
      'arguments swapped',
      () => secret('DB_PASSWORD', VALUE as never),
      'Expected `metadata` to be an object with `name` and `version` (strings), or undefined, got a string (its value is not shown).',
    ],
  ])('metadata is checked: %s is refused, naming the field and never showing the value', (_case, make, message) => {
    expect(make).toThrow(new TypeError(message));
    expect(message).not.toContain(VALUE);
  });

  test('metadata with undefined fields, as map() passes it, is accepted', () => {
    expect(secret(VALUE, { name: undefined, version: undefined }).name).toBeUndefined();
    expect(secret(VALUE).map((v) => v.length).reveal()).toBe(VALUE.length);
  });

  test('isSecret recognises secrets only', () => {
    expect(isSecret(secret('x'))).toBe(true);
    expect(isSecret({ reveal: () => 'x' })).toBe(false);
    expect(isSecret(null)).toBe(false);
  });
});
