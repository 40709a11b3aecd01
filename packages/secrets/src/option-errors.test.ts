import { describe, expect, test } from 'vitest';
import {
  directoryProvider,
  dotenvProvider,
  encryptedFileStore,
  envProvider,
  memoryProvider,
  scanForSecrets,
  secretManager,
} from './index.js';

describe('unknown option keys are refused, naming the option meant', () => {
  test.each([
    ['secretManager', () => secretManager({ providers: memoryProvider(), ttl: 1_000 } as never), 'Unknown option `ttl` of secretManager(); did you mean `ttlMs`?'],
    ['envProvider', () => envProvider({ prefx: 'APP_' } as never), 'Unknown option `prefx` of envProvider(); did you mean `prefix`?'],
    ['dotenvProvider', () => dotenvProvider({ path: '.env', requried: true } as never), 'Unknown option `requried` of dotenvProvider(); did you mean `required`?'],
    ['directoryProvider', () => directoryProvider({ dir: '/run/secrets' } as never), 'Unknown option `dir` of directoryProvider(); did you mean `path`?'],
    ['memoryProvider', () => memoryProvider({ values: { A: 'a' } } as never), 'Unknown option `values` of memoryProvider(); did you mean `secrets`?'],
    [
      'encryptedFileStore',
      () => encryptedFileStore({ path: 'x.json', keys: [{ passphrase: 'p' }], historylimit: 3 } as never),
      'Unknown option `historylimit` of encryptedFileStore(); did you mean `historyLimit`?',
    ],
    [
      'encryptedFileStore (kdf)',
      () => encryptedFileStore({ path: 'x.json', keys: [{ passphrase: 'p' }], kdf: { algorithm: 'scrypt', N: 1024 } } as never),
      'Unknown option `kdf.N` of encryptedFileStore(); did you mean `kdf.cost`?',
    ],
  ])('%s', (_name, make, message) => {
    expect(make).toThrow(new TypeError(message));
  });

  test('the readers: withSecret(), policy() and scope()', async () => {
    const vault = secretManager({ providers: memoryProvider({ secrets: { API_KEY: 'key-1' } }) });
    let ran = false;
    await expect(
      vault.withSecret('API_KEY', () => (ran = true), { isAuthFail: () => true } as never),
    ).rejects.toThrow(new TypeError('Unknown option `isAuthFail` of withSecret(); did you mean `isAuthFailure`?'));
    expect(ran).toBe(false);
    expect(() => vault.policy('API_KEY', { isAuthError: () => true } as never)).toThrow(
      new TypeError('Unknown option `isAuthError` of policy(); did you mean `isAuthFailure`?'),
    );
    expect(() => vault.scope({ who: 'billing', names: ['API_KEY'], nmes: ['OTHER'] } as never)).toThrow(
      new TypeError('Unknown option `nmes` of scope(); did you mean `names`?'),
    );
    await vault.close();
  });

  test('scanForSecrets', async () => {
    await expect(scanForSecrets({ path: ['src'] } as never)).rejects.toThrow(
      new TypeError('Unknown option `path` of scanForSecrets(); did you mean `paths`?'),
    );
  });
});

describe('bounds are stated in words a person reads', () => {
  test('refreshAheadMs below ttlMs', () => {
    expect(() => secretManager({ providers: memoryProvider(), ttlMs: 1_000, refreshAheadMs: 1_000 })).toThrow(
      new TypeError('Expected `refreshAheadMs` to be a non-negative number below 1000 (ttlMs), got 1000.'),
    );
  });

  test('refreshAheadMs is 0 when ttlMs is Infinity: nothing expires to refresh ahead of', () => {
    expect(() => secretManager({ providers: memoryProvider(), ttlMs: Infinity, refreshAheadMs: 1_000 })).toThrow(
      new TypeError('Expected `refreshAheadMs` to be 0 when `ttlMs` is Infinity (a secret that never expires has nothing to refresh ahead of), got 1000.'),
    );
    expect(() => secretManager({ providers: memoryProvider(), ttlMs: Infinity }).close()).not.toThrow();
    expect(() => secretManager({ providers: memoryProvider(), ttlMs: Infinity, refreshAheadMs: 0 }).close()).not.toThrow();
  });

  test('refreshRetryMs is at least 1 ms: 0 would retry a failing provider on every turn of the event loop', () => {
    for (const bad of [0, 0.5, -1, Number.NaN, Infinity]) {
      expect(() => secretManager({ providers: memoryProvider(), refreshRetryMs: bad })).toThrow(
        new TypeError(`Expected \`refreshRetryMs\` to be a number of at least 1, got ${bad}.`),
      );
    }
    expect(() => secretManager({ providers: memoryProvider(), refreshRetryMs: 1 }).close()).not.toThrow();
  });

  test.each([
    ['ttlMs', { ttlMs: 0 }, 'a number of at least 1 or Infinity, got 0'],
    ['ttlMs', { ttlMs: Number.NaN }, 'a number of at least 1 or Infinity, got NaN'],
    ['fetchTimeoutMs', { fetchTimeoutMs: 0 }, 'a number of at least 1, got 0'],
    ['fetchTimeoutMs', { fetchTimeoutMs: Infinity }, 'a number of at least 1, got Infinity'],
    ['previousOverlapMs', { previousOverlapMs: -1 }, 'a non-negative number or Infinity, got -1'],
    ['authRefreshCooldownMs', { authRefreshCooldownMs: Infinity }, 'a non-negative number, got Infinity'],
  ])('%s: %o', (field, extra, expected) => {
    expect(() => secretManager({ providers: memoryProvider(), ...extra })).toThrow(new TypeError(`Expected \`${field}\` to be ${expected}.`));
  });
});

describe('providers check their options when they are made, never showing a value', () => {
  const ENV = 'Expected `env` to be an object of variables, name → string (such as process.env, the default), got';
  test.each([
    ['envProvider env a string', () => envProvider({ env: 'MYAPP_' } as never), `${ENV} a string (its value is not shown).`],
    ['envProvider env null', () => envProvider({ env: null } as never), `${ENV} null (its value is not shown).`],
    ['envProvider env an array', () => envProvider({ env: ['A=1'] } as never), `${ENV} an array (its value is not shown).`],
    ['envProvider env value a number', () => envProvider({ env: { PIN: 1234 } } as never), 'Expected `env.PIN` to be a string or undefined, got a number (its value is not shown).'],
    ['envProvider name', () => envProvider({ name: 5 } as never), 'Expected `name` to be a non-empty string, got 5.'],
    ['dotenvProvider name', () => dotenvProvider({ path: '.env', name: 5 } as never), 'Expected `name` to be a non-empty string, got 5.'],
    ['directoryProvider name', () => directoryProvider({ path: '/run/secrets', name: '' }), 'Expected `name` to be a non-empty string, got "".'],
    ['memoryProvider name', () => memoryProvider({ name: 5 } as never), 'Expected `name` to be a non-empty string, got 5.'],
    [
      'encryptedFileStore name',
      () => encryptedFileStore({ path: 'x.json', keys: [{ passphrase: 'p' }], name: 5 } as never),
      'Expected `name` to be a non-empty string, got 5.',
    ],
  ])('%s', (_name, make, message) => {
    expect(make).toThrow(new TypeError(message));
  });

  test('an env of strings and undefined is accepted and read', async () => {
    const provider = envProvider({ env: { A: 'value-a', B: undefined } });
    expect((await provider.fetch('A'))?.current.reveal()).toBe('value-a');
    expect(await provider.fetch('B')).toBeUndefined();
  });
});
