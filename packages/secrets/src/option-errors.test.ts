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
});
