import { describe, expect, test } from 'vitest';
import { isSecretAccessDeniedError, isSecretNotFoundError, memoryProvider, secretManager } from './index.js';

// What a caller gets for a malformed schema, a huge name, or a bad value given to a provider.

describe('load: a malformed schema field is named, before any provider is asked', () => {
  test('a pattern that is not a RegExp', async () => {
    const provider = memoryProvider({ secrets: { A: 'value-a' } });
    const vault = secretManager({ providers: provider });
    await expect(vault.load({ f: { name: 'A', pattern: 'x' as unknown as RegExp } })).rejects.toThrow(
      new TypeError('Expected `schema.f.pattern` to be a RegExp, such as /^sk_/, got "x".'),
    );
    expect(provider.fetchCount).toBe(0);
  });

  test('the other fields of a field, and keys a field does not have', async () => {
    const vault = secretManager({ providers: memoryProvider({ secrets: { A: 'value-a' } }) });
    await expect(vault.load({ f: { name: 'A', minLength: -1 } })).rejects.toThrow('Expected `schema.f.minLength` to be a non-negative integer, got -1.');
    await expect(vault.load({ f: { name: 'A', parse: 'json' as never } })).rejects.toThrow('Expected `schema.f.parse` to be a function, got "json".');
    await expect(vault.load({ f: { name: 'A', optional: 'yes' as never } })).rejects.toThrow('Expected `schema.f.optional` to be a boolean, got "yes".');
    await expect(vault.load({ f: { name: '' } })).rejects.toThrow('Expected `schema.f.name` to be a non-empty string, got "".');
    await expect(vault.load({ f: { name: 'A', regex: /x/ } as never })).rejects.toThrow('Unknown option `schema.f.regex` of load(); did you mean `schema.f.pattern`?');
    // A well-formed schema still loads.
    expect((await vault.load({ f: { name: 'A', pattern: /^value-/ } })).f.reveal()).toBe('value-a');
  });
});

describe('a huge name in an error message is cut to a sane length', () => {
  const huge = 'k'.repeat(1e7);

  test('get', async () => {
    const vault = secretManager({ providers: memoryProvider() });
    const error = await vault.get(huge).catch((e: unknown) => e);
    expect(isSecretNotFoundError(error)).toBe(true);
    const e = error as Error & { key: string };
    expect(e.message).toBe(`Secret "${'k'.repeat(50)}…" (10000000 characters) was not found in memory.`);
    expect(e.key).toBe(huge); // the error's own field keeps it whole
  });

  test('a scoped view denied', async () => {
    const view = secretManager({ providers: memoryProvider() }).scope({ who: 'billing', names: ['A'] });
    const error = await view.get(huge).catch((e: unknown) => e);
    expect(isSecretAccessDeniedError(error)).toBe(true);
    expect((error as Error).message.length).toBeLessThan(200);
  });
});

describe('memoryProvider', () => {
  test('a value that is not a string is named by its field, never shown', () => {
    expect(() => memoryProvider({ secrets: { A: 123 as unknown as string } })).toThrow(
      new TypeError('Expected `secrets.A` to be a string, got a number (its value is not shown).'),
    );
  });
});
