import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFakeClock } from '@bulwark/core';
import { afterAll, describe, expect, test } from 'vitest';
import {
  encryptedFileStore,
  isSecretNotFoundError,
  isSecretStoreCorruptError,
  isSecretStoreWrongKeyError,
  secret,
  secretManager,
  type EncryptedFileStoreOptions,
} from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'bulwark-secrets-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(dir, `store-${++n}.json`);
// Cheap key stretching keeps the suite fast; the defaults are the OWASP figures.
const FAST = { algorithm: 'scrypt', cost: 1024 } as const;
const PASSPHRASE = 'correct horse battery staple'; // bulwark-allow-secret (test fixture)
const make = (path: string, extra: Partial<EncryptedFileStoreOptions> = {}) =>
  encryptedFileStore({ path, keys: [{ passphrase: PASSPHRASE }], kdf: FAST, ...extra });
/** What a tamperer who knows the format does after editing the body: make its plain checksum match again. */
const reseal = (file: { body: unknown; digest: string }): void => {
  file.digest = createHash('sha256').update(`bulwark-secrets/1\0${JSON.stringify(file.body)}`).digest('base64');
};

describe('encryptedFileStore', () => {
  test('round trip: set, get, versions, list, describe; values are not in the file', async () => {
    const path = fresh();
    const store = make(path);
    expect(await store.set('STRIPE_KEY', 'sk_test_first_value')).toBe('v1');
    expect(await store.set('STRIPE_KEY', secret('sk_test_second_value'))).toBe('v2');
    await store.set('DB_PASSWORD', 'db-password-1');
    const reopened = make(path);
    expect((await reopened.get('STRIPE_KEY')).reveal()).toBe('sk_test_second_value');
    expect((await reopened.get('STRIPE_KEY', 'v1')).reveal()).toBe('sk_test_first_value');
    const versions = await reopened.fetch('STRIPE_KEY');
    expect(versions?.current.version).toBe('v2');
    expect(versions?.previous?.reveal()).toBe('sk_test_first_value');
    expect(await reopened.list!()).toEqual(['DB_PASSWORD', 'STRIPE_KEY']);
    const info = await reopened.describe();
    expect(info.map((s) => [s.name, s.versions.map((v) => v.version)])).toEqual([
      ['DB_PASSWORD', ['v1']],
      ['STRIPE_KEY', ['v1', 'v2']],
    ]);
    const text = readFileSync(path, 'utf8');
    for (const value of ['sk_test_first_value', 'sk_test_second_value', 'db-password-1', PASSPHRASE]) expect(text).not.toContain(value);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(isSecretNotFoundError(await reopened.get('NOPE').catch((e: unknown) => e))).toBe(true);
    expect(await reopened.fetch('NOPE')).toBeUndefined();
  });

  test('each value has a fresh nonce: the same value twice gives different ciphertexts', async () => {
    const path = fresh();
    const store = make(path);
    await store.set('A', 'same');
    await store.set('A', 'same');
    const body = JSON.parse(readFileSync(path, 'utf8')).body;
    const [v1, v2] = body.secrets.A;
    expect(v1.n).not.toBe(v2.n);
    expect(v1.c).not.toBe(v2.c);
    expect(Buffer.from(v1.n, 'base64')).toHaveLength(12);
  });

  test('wrong passphrase: a clear error naming the store, nothing read or written', async () => {
    const path = fresh();
    await make(path).set('A', 'value-a');
    const before = readFileSync(path, 'utf8');
    const wrong = encryptedFileStore({ path, keys: [{ passphrase: 'not the passphrase' }] });
    const error = await wrong.get('A').catch((e: unknown) => e);
    expect(isSecretStoreWrongKeyError(error)).toBe(true);
    expect((error as Error).message).toMatch(/none of the 1 key\(s\) given opens this store: wrong passphrase or key file \(the store's keys: [0-9a-f]{8}\)\.$/);
    await expect(wrong.set('A', 'overwrite')).rejects.toThrow(/wrong passphrase/);
    expect(readFileSync(path, 'utf8')).toBe(before);
  });

  test.each([
    ['a flipped ciphertext byte', (f: any) => {
      const c = Buffer.from(f.body.secrets.A[0].c, 'base64');
      c.writeUInt8(c.readUInt8(0) ^ 1, 0);
      f.body.secrets.A[0].c = c.toString('base64');
    }, /integrity check \(HMAC\) failed/],
    ['a value moved to another name', (f: any) => {
      f.body.secrets.B = f.body.secrets.A;
    }, /integrity check \(HMAC\) failed/],
    ['a deleted version', (f: any) => {
      f.body.secrets.A.pop();
    }, /integrity check \(HMAC\) failed/],
    ['a replaced MAC', (f: any) => {
      f.mac = randomBytes(32).toString('base64');
    }, /integrity check \(HMAC\) failed/],
  ])('tampered file (%s): a clear error, nothing overwritten', async (_label, tamper, message) => {
    const path = fresh();
    const store = make(path);
    await store.set('A', 'value-a1');
    await store.set('A', 'value-a2');
    const file = JSON.parse(readFileSync(path, 'utf8'));
    tamper(file);
    reseal(file);
    const tampered = JSON.stringify(file);
    writeFileSync(path, tampered);
    const reader = make(path);
    const error = await reader.get('A').catch((e: unknown) => e);
    expect(isSecretStoreCorruptError(error)).toBe(true);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toMatch(/nothing was written/);
    await expect(reader.set('A', 'new')).rejects.toSatisfy(isSecretStoreCorruptError);
    await expect(reader.rekey()).rejects.toSatisfy(isSecretStoreCorruptError);
    expect(readFileSync(path, 'utf8')).toBe(tampered);
  });

  test.each([
    ['a passphrase', { keys: [{ passphrase: PASSPHRASE }], kdf: FAST }],
    ['a raw key', { keys: [{ key: Buffer.alloc(32, 7) }] }],
  ] as const)('every single-byte flip of a store file (%s) reads as damage, never as a wrong key', async (_label, keys) => {
    const path = fresh();
    await encryptedFileStore({ path, ...keys }).set('A', 'value-a');
    const original = readFileSync(path);
    const outcomes = new Map<string, number>();
    for (let i = 0; i < original.length; i++) {
      for (const mask of [0x01, 0x80]) {
        const flipped = Buffer.from(original);
        flipped[i] = flipped[i]! ^ mask;
        writeFileSync(path, flipped);
        const error = await encryptedFileStore({ path, ...keys })
          .get('A')
          .then(
            () => 'opened',
            (e: unknown) => (isSecretStoreCorruptError(e) ? 'corrupt' : isSecretStoreWrongKeyError(e) ? 'wrong key' : String(e)),
          );
        outcomes.set(error, (outcomes.get(error) ?? 0) + 1);
      }
    }
    expect(Object.fromEntries(outcomes)).toEqual({ corrupt: original.length * 2 });
    writeFileSync(path, original);
    expect((await encryptedFileStore({ path, ...keys }).get('A')).reveal()).toBe('value-a');
  });

  test.each([
    ['empty', ''],
    ['half written', '{"token":"0f3a'],
  ])('a lock file with no owner in it (%s) is taken over at once, however young', async (_label, content) => {
    // What a writer killed between creating its lock and filling it leaves (a writer on a file
    // system without hard links; elsewhere a lock appears whole). A store that may not wait at all
    // still writes: a lock that names no owner is no one's.
    const path = fresh();
    await make(path).set('A', 'value-a1');
    writeFileSync(`${path}.lock`, content);
    const store = make(path, { lockTimeoutMs: 0, clock: createFakeClock() });
    expect(await store.set('A', 'value-a2')).toBe('v2');
    expect(existsSync(`${path}.lock`)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes(`${path.split('/').pop()}.lock`))).toEqual([]);
  });

  test('values swapped between two names are refused', async () => {
    const path = fresh();
    const store = make(path);
    await store.set('A', 'value-a');
    await store.set('B', 'value-b');
    const file = JSON.parse(readFileSync(path, 'utf8'));
    [file.body.secrets.A[0].c, file.body.secrets.B[0].c] = [file.body.secrets.B[0].c, file.body.secrets.A[0].c];
    [file.body.secrets.A[0].n, file.body.secrets.B[0].n] = [file.body.secrets.B[0].n, file.body.secrets.A[0].n];
    reseal(file);
    writeFileSync(path, JSON.stringify(file));
    await expect(make(path).get('A')).rejects.toThrow(/integrity check|failed authentication/);
  });

  test('garbage and foreign files are refused, not overwritten', async () => {
    const path = fresh();
    writeFileSync(path, '{ not json');
    await expect(make(path).set('A', 'x')).rejects.toThrow(/it is not valid JSON/);
    writeFileSync(path, '{"format":"something-else"}');
    await expect(make(path).get('A')).rejects.toThrow(/it is not a bulwark-secrets\/1 store/);
    expect(readFileSync(path, 'utf8')).toBe('{"format":"something-else"}');
  });

  test('key files, old keys and re-keying', async () => {
    const path = fresh();
    const oldKey = join(dir, `old-${n}.key`);
    const newKey = join(dir, `new-${n}.key`);
    writeFileSync(oldKey, randomBytes(32).toString('base64'));
    writeFileSync(newKey, randomBytes(32).toString('hex'));
    const before = encryptedFileStore({ path, keys: [{ keyFile: oldKey }] });
    await before.set('A', 'under-old-key');
    // New key first, old key second: old values still open, new ones go under the new key.
    const both = encryptedFileStore({ path, keys: [{ keyFile: newKey }, { keyFile: oldKey }] });
    expect((await both.get('A')).reveal()).toBe('under-old-key');
    await both.set('B', 'under-new-key');
    const keyIds = new Set((await both.describe()).flatMap((s) => s.versions.map((v) => v.keyId)));
    expect(keyIds.size).toBe(2);
    // Without the old key, the file (last written under the new key) opens, but the old value does not.
    const onlyNew = encryptedFileStore({ path, keys: [{ keyFile: newKey }] });
    expect((await onlyNew.get('B')).reveal()).toBe('under-new-key');
    await expect(onlyNew.get('A')).rejects.toThrow(/is under key [0-9a-f]{8}, which none of the given keys opens/);
    // A previous version under the retired key is simply not offered; the current one still is.
    await both.set('B', 'under-new-key-2');
    await both.set('A', 'A-under-new-key');
    const a = await onlyNew.fetch('A');
    expect([a?.current.reveal(), a?.previous]).toEqual(['A-under-new-key', undefined]);
    expect((await onlyNew.fetch('B'))?.previous?.reveal()).toBe('under-new-key');
    const result = await both.rekey();
    expect(result.reencrypted).toBe(1);
    expect((await onlyNew.get('A', 'v1')).reveal()).toBe('under-old-key');
    expect(result.removedKeyIds).toHaveLength(1);
    await expect(encryptedFileStore({ path, keys: [{ keyFile: oldKey }] }).get('A')).rejects.toSatisfy(isSecretStoreWrongKeyError);
  });

  test('a passphrase change through rekey', async () => {
    const path = fresh();
    await make(path).set('A', 'value');
    const rotated = encryptedFileStore({ path, keys: [{ passphrase: 'a new passphrase' }, { passphrase: PASSPHRASE }], kdf: FAST });
    await rotated.rekey();
    await expect(make(path).get('A')).rejects.toSatisfy(isSecretStoreWrongKeyError);
    expect((await encryptedFileStore({ path, keys: [{ passphrase: 'a new passphrase' }] }).get('A')).reveal()).toBe('value');
  });

  test('Argon2id where the runtime has it', async () => {
    const path = fresh();
    const store = encryptedFileStore({
      path,
      keys: [{ passphrase: PASSPHRASE }],
      kdf: { algorithm: 'argon2id', memoryKiB: 256, passes: 2, parallelism: 1 },
    });
    await store.set('A', 'value');
    expect(JSON.parse(readFileSync(path, 'utf8')).body.keys[0].kdf.algorithm).toBe('argon2id');
    expect((await make(path).get('A')).reveal()).toBe('value');
  });

  test('history is bounded; rotate generates a value; delete', async () => {
    const path = fresh();
    const store = make(path, { historyLimit: 3 });
    for (let i = 1; i <= 5; i++) await store.set('A', `value-${i}`);
    expect((await store.describe())[0]!.versions.map((v) => v.version)).toEqual(['v3', 'v4', 'v5']);
    const generated = await store.rotate('A');
    expect(generated.version).toBe('v6');
    expect(generated.reveal()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await store.delete('A')).toBe(true);
    expect(await store.delete('A')).toBe(false);
  });

  test('concurrent writers in one process lose no update', async () => {
    const path = fresh();
    const a = make(path);
    const b = make(path);
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).set(`K${i}`, `v${i}`)));
    expect(await a.list!()).toHaveLength(20);
  });

  test('a crash between write and rename leaves the old content intact, and the next writer proceeds', async () => {
    const path = fresh();
    const store = make(path);
    await store.set('A', 'old-value');
    const before = readFileSync(path, 'utf8');
    // What a writer killed after writing its temporary file and before renaming leaves behind:
    // a half-written temporary file and a lock owned by a process that no longer exists.
    writeFileSync(join(dir, `.${path.split('/').pop()}.999999.deadbeef.tmp`), before.slice(0, 40));
    writeFileSync(`${path}.lock`, JSON.stringify({ token: 'dead', pid: 2 ** 22 + 12345, host: (await import('node:os')).hostname(), at: Date.now() }));
    expect(readFileSync(path, 'utf8')).toBe(before);
    expect((await make(path).get('A')).reveal()).toBe('old-value');
    await make(path, { lockTimeoutMs: 2_000 }).set('A', 'new-value');
    expect((await make(path).get('A')).reveal()).toBe('new-value');
    expect(existsSync(`${path}.lock`)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('.stale-') || f.endsWith('.tmp'))).toEqual([]);
  });

  test('a live writer holding the lock too long gives SecretStoreLockedError', async () => {
    const path = fresh();
    writeFileSync(`${path}.lock`, JSON.stringify({ token: 'live', pid: process.pid, host: (await import('node:os')).hostname(), at: Date.now() }));
    await expect(make(path, { lockTimeoutMs: 50 }).set('A', 'x')).rejects.toThrow(/Could not lock .* within \d+ ms: another writer holds it/);
    rmSync(`${path}.lock`);
  });

  test('lockTimeoutMs: 0 fails at once while a live writer holds the lock, without waiting', async () => {
    const path = fresh();
    writeFileSync(`${path}.lock`, JSON.stringify({ token: 'live', pid: process.pid, host: (await import('node:os')).hostname(), at: Date.now() }));
    // A fake clock that is never advanced: any wait would hang the test.
    await expect(make(path, { lockTimeoutMs: 0, clock: createFakeClock() }).set('A', 'x')).rejects.toThrow(/Could not lock .* within 0 ms/);
    expect(existsSync(path)).toBe(false);
    rmSync(`${path}.lock`);
  });

  test.skipIf(process.platform === 'win32')('two writers: a writer keeps its lock however long it writes, and the other waits its turn', async () => {
    const path = fresh();
    const keyFile = `${path}.key`;
    const key = randomBytes(32).toString('base64');
    writeFileSync(keyFile, key);
    await encryptedFileStore({ path, keys: [{ keyFile }] }).set('SEED', 'seed-value');
    // The first writer's key file is a named pipe: it reads its key under the lock and blocks there,
    // a slow write held open for as long as the test likes, until the key is written into the pipe.
    const pipe = `${path}.pipe`;
    (await import('node:child_process')).execFileSync('mkfifo', [pipe]);
    const clock = createFakeClock({ now: Date.now() });
    const options = { path, clock, staleLockMs: 1_000, lockTimeoutMs: 600_000 };
    const slow = encryptedFileStore({ ...options, keys: [{ keyFile: pipe }] });
    const other = encryptedFileStore({ ...options, keys: [{ keyFile }] });
    const realPause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

    const first = slow.set('FIRST', 'first-value');
    while (!existsSync(`${path}.lock`)) await realPause(2);
    let secondDone = false;
    const second = other.set('SECOND', 'second-value').finally(() => (secondDone = true));
    for (let i = 0; i < 100; i++) {
      // Ten lock lifetimes on the clock; real pauses let the holder's refreshes reach the disk.
      await clock.tickAsync(100);
      await realPause(10);
    }
    expect(secondDone).toBe(false); // it did not take over a live writer's lock
    await (await import('node:fs/promises')).writeFile(pipe, key);
    expect(await first).toBe('v1');
    for (let i = 0; !secondDone && i < 500; i++) {
      await clock.tickAsync(50);
      await realPause(2);
    }
    expect(await second).toBe('v1');
    const after = encryptedFileStore({ path, keys: [{ keyFile }] });
    expect((await after.describe()).map((s) => s.name)).toEqual(['FIRST', 'SECOND', 'SEED']);
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  test('staleLockMs is at least 1 s: its holder refreshes its lock every staleLockMs / 3', () => {
    for (const staleLockMs of [0, 1, 999]) {
      expect(() => make(fresh(), { staleLockMs })).toThrow(
        new TypeError(
          `Expected \`staleLockMs\` to be a number of at least 1000 (a lock's holder refreshes it every staleLockMs / 3; a shorter one would let a busy event loop lose a live writer's lock), got ${staleLockMs}.`,
        ),
      );
    }
  });

  test('works as a provider of a secret manager', async () => {
    const path = fresh();
    const store = make(path);
    await store.set('API_KEY', 'key-1');
    const vault = secretManager({ providers: store });
    expect((await vault.get('API_KEY')).reveal()).toBe('key-1');
    await store.set('API_KEY', 'key-2');
    await vault.refresh('API_KEY');
    const versions = await vault.versions('API_KEY');
    expect([versions.current.version, versions.previous?.version]).toEqual(['v2', 'v1']);
    // A tampered store: the manager keeps serving the last good value and says why.
    writeFileSync(path, readFileSync(path, 'utf8').replace(/"c": "(.)/, (_m: string, ch: string) => `"c": "${ch === 'A' ? 'B' : 'A'}`));
    await expect(vault.refresh('API_KEY')).rejects.toThrow(
      /^encryptedFileStore \(secret "API_KEY"\): failed: .*: its checksum \(SHA-256\) does not match its content\./,
    );
    expect((await vault.get('API_KEY')).reveal()).toBe('key-2');
    await vault.close();
  });

  test('options are validated without echoing keys', () => {
    expect(() => encryptedFileStore({ path: '', keys: [{ passphrase: 'x' }] })).toThrow('Expected `path` to be a file path, got "".');
    expect(() => encryptedFileStore({ path: 'x', keys: [{ pass: 'hunter2' } as never] })).toThrow(
      new TypeError('Unknown option `keys[0].pass` of encryptedFileStore(); did you mean `keys[0].passphrase`?'),
    );
    expect(() => make('x', { kdf: { algorithm: 'scrypt', cost: 1000 } })).toThrow('Expected `kdf.cost` to be a power of two, got 1000.');
  });

  test('a raw key of the wrong length is refused when the store is made, not at its first write', () => {
    const path = join(dir, 'short-key.enc.json');
    expect(() => encryptedFileStore({ path, keys: [{ key: randomBytes(16) }] })).toThrow(new TypeError('Expected `keys[0].key` to be 32 bytes, got 16 bytes.'));
    expect(() => encryptedFileStore({ path, keys: [{ key: randomBytes(32) }, { key: secret(new Uint8Array(64)) }] })).toThrow(
      new TypeError('Expected `keys[1].key` to be 32 bytes, got 64 bytes.'),
    );
    expect(() => encryptedFileStore({ path, keys: [{ key: secret('not bytes') as never }] })).toThrow(
      new TypeError('Expected `keys[0].key` to be 32 bytes (a Uint8Array such as a Buffer, or a Secret of one), got a Secret of something else.'),
    );
  });

  test('a key of the wrong kind is refused naming the field that is wrong, by its kind alone', () => {
    const typed = 'hunter2-hunter2-hunter2'; // bulwark-allow-secret: test fixture
    const cases: [unknown, string][] = [
      [{ key: typed }, 'Expected `keys[0].key` to be 32 bytes (a Uint8Array such as a Buffer, or a Secret of one), got a string (its value is not shown).'],
      [{ passphrase: 1234 }, 'Expected `keys[0].passphrase` to be a non-empty string (an empty passphrase protects nothing), got a number (its value is not shown).'],
      [{ keyFile: Buffer.from(typed) }, 'Expected `keys[0].keyFile` to be the path of a key file, got an object (its value is not shown).'],
      [typed, 'Expected `keys[0]` to be a { passphrase }, { keyFile } or { key } object, got a string (its value is not shown).'],
      [{ password: typed }, 'Unknown option `keys[0].password` of encryptedFileStore(); did you mean `keys[0].passphrase`?'],
      [{}, 'Expected `keys[0]` to hold one of `passphrase`, `keyFile` or `key`, got none of them.'],
    ];
    for (const [key, message] of cases) {
      expect(() => encryptedFileStore({ path: 'x.json', keys: [key as never] })).toThrow(new TypeError(message));
    }
  });

  test('a value of the wrong kind is refused by its kind, an empty one as empty', async () => {
    const store = make(fresh());
    await expect(store.set('A', '')).rejects.toThrow(new TypeError('Expected `value` to be a non-empty string, got "".'));
    await expect(store.set('A', 1234 as never)).rejects.toThrow(new TypeError('Expected `value` to be a non-empty string, got a number (its value is not shown).'));
  });

  test('an empty passphrase, an empty key file path and a key of two kinds are refused', async () => {
    const path = join(dir, 'refused.enc.json');
    expect(() => encryptedFileStore({ path, keys: [{ passphrase: '' }] })).toThrow(
      new TypeError('Expected `keys[0].passphrase` to be a non-empty string (an empty passphrase protects nothing), got "".'),
    );
    expect(() => encryptedFileStore({ path, keys: [{ key: randomBytes(32) }, { passphrase: secret('') }] })).toThrow(
      'Expected `keys[1].passphrase` to be a non-empty string',
    );
    expect(() => encryptedFileStore({ path, keys: [{ keyFile: '' }] })).toThrow(new TypeError('Expected `keys[0].keyFile` to be the path of a key file, got "".'));
    const twoKinds = () => encryptedFileStore({ path, keys: [{ passphrase: 'hunter2-hunter2', key: randomBytes(32) } as never] });
    expect(twoKinds).toThrow(new TypeError('Expected `keys[0]` to hold one of `passphrase`, `keyFile` or `key`, got `passphrase` and `key` together.'));
    expect(twoKinds).not.toThrow(/hunter2/);
    expect(existsSync(path)).toBe(false); // nothing was written under a key that protects nothing
  });
});
