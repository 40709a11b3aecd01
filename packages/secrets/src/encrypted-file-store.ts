import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import {
  expectClock,
  expectInteger,
  expectName,
  expectNumber,
  expectOptions,
  invalidOption,
  knownOptions,
  quote,
  systemClock,
  type Clock,
} from '@bulwark/core';
import { atomicWrite, removeStaleTempFiles } from './internal/atomic-write.js';
import { acquireLock } from './internal/file-lock.js';
import { deriveKey, hasArgon2, type KdfRecord } from './internal/kdf.js';
import { isSecret, Secret } from './secret.js';
import { SecretNotFoundError } from './secret-not-found-error.js';
import type { SecretProvider, SecretVersions } from './secret-provider.js';
import { SecretProviderFailedError } from './secret-provider-failed-error.js';
import { SecretStoreCorruptError } from './secret-store-corrupt-error.js';
import { SecretStoreWrongKeyError } from './secret-store-wrong-key-error.js';
import { SecretStoreLockedError } from './secret-store-locked-error.js';

const FORMAT = 'bulwark-secrets/1';
/** The shortest `staleLockMs`: see its check. */
const MIN_STALE_LOCK_MS = 1_000;

/**
 * A key that opens an encrypted store: a passphrase (stretched by scrypt or Argon2id), a key file
 * (32 raw bytes, or 32 bytes in base64 or hex text), or 32 key bytes.
 */
export type StoreKey =
  | { readonly passphrase: string | Secret<string> }
  | { readonly keyFile: string }
  | { readonly key: Uint8Array | Secret<Uint8Array> };

/**
 * How passphrases are stretched into keys, for key records this store creates. Existing records
 * keep the parameters they were made with (stored beside them), so changing this never locks out
 * old files.
 */
export type KdfOptions =
  | {
      readonly algorithm: 'scrypt';
      /** scrypt's N, a power of two; memory is 128 × N × blockSize bytes. @default 131072 (2^17) */
      readonly cost?: number;
      /** scrypt's r. @default 8 */
      readonly blockSize?: number;
      /** scrypt's p. @default 1 */
      readonly parallelization?: number;
    }
  | {
      readonly algorithm: 'argon2id';
      /** Memory in KiB. @default 19456 (19 MiB, OWASP's minimum) */
      readonly memoryKiB?: number;
      /** Passes over memory. @default 2 */
      readonly passes?: number;
      /** Lanes. @default 1 */
      readonly parallelism?: number;
    };

/** Options of {@link encryptedFileStore}. */
export interface EncryptedFileStoreOptions {
  /** The store file; created on the first write, with mode 0600. A `.lock` file is used beside it. */
  readonly path: string;
  /**
   * Keys that open the store. The first one encrypts what is written; the others only open
   * values written under older keys (until `rekey()` re-encrypts them under the first).
   */
  readonly keys: readonly StoreKey[];
  /** Key stretching for new passphrase records. @default Argon2id where the runtime has it, else scrypt */
  readonly kdf?: KdfOptions;
  /** Versions kept per secret, current included (at least 2: current and previous). @default 10 */
  readonly historyLimit?: number;
  /** How long a writer waits for the lock held by another, in ms; `0`: fail at once while another holds it. @default 10_000 */
  readonly lockTimeoutMs?: number;
  /**
   * A lock not refreshed for this long is taken over (its writer crashed on another host, or hung),
   * in ms; at least 1_000. A writer refreshes its lock every `staleLockMs / 3` while it holds it, so
   * however long a write takes (a first write under a passphrase stretches the key while holding the
   * lock), a live writer keeps it. A lock whose process is gone (same host), or with no owner in it,
   * is taken over at once. A writer whose lock was taken over all the same (its event loop blocked
   * for longer than this) does not commit, and fails after three such tries.
   * @default 30_000
   */
  readonly staleLockMs?: number;
  /** Time source for lock waits. @default systemClock */
  readonly clock?: Clock;
  /** Provider name in errors and events. @default 'encryptedFileStore' */
  readonly name?: string;
}

/** One stored version, as `describe()` reports it (no value). */
export interface StoredVersionInfo {
  /** Such as `v3`. */
  readonly version: string;
  /** The id of the key that encrypted it. */
  readonly keyId: string;
  /** When it was written, ms since the epoch. */
  readonly createdAt: number;
}

/** A secret's history, as `describe()` reports it (no values). */
export interface StoredSecretInfo {
  readonly name: string;
  /** Oldest first; the last one is current. */
  readonly versions: readonly StoredVersionInfo[];
}

/** What `rekey()` did. */
export interface RekeyResult {
  /** The key everything is now encrypted under. */
  readonly keyId: string;
  /** Versions re-encrypted. */
  readonly reencrypted: number;
  /** Key records no longer needed, removed from the file. */
  readonly removedKeyIds: readonly string[];
}

/** An encrypted, versioned file of secrets; also a {@link SecretProvider}. */
export interface EncryptedFileStore extends SecretProvider {
  /** The store file. */
  readonly path: string;
  /** A version of a secret (the current one by default). Rejects with `SecretNotFoundError`. */
  get(name: string, version?: string): Promise<Secret<string>>;
  /** Stores a new current version; the old current becomes the previous one. Returns the new version. */
  set(name: string, value: string | Secret<string>): Promise<string>;
  /** Like `set`, with a fresh random value (32 bytes, base64url) when none is given. Returns the new secret. */
  rotate(name: string, value?: string | Secret<string>): Promise<Secret<string>>;
  /** Removes a secret and its history; false when it did not exist. */
  delete(name: string): Promise<boolean>;
  /** Names, versions, key ids and times; no values. */
  describe(): Promise<readonly StoredSecretInfo[]>;
  /** Re-encrypts every version under the first key and drops key records nothing uses any more. */
  rekey(): Promise<RekeyResult>;
}

interface StoredValue {
  readonly v: number;
  readonly kid: string;
  readonly n: string;
  readonly c: string;
  readonly at: number;
}
interface StoredKeyRecord {
  readonly id: string;
  readonly kdf: KdfRecord;
  readonly check: string;
  readonly createdAt: number;
}
interface Body {
  keys: StoredKeyRecord[];
  macKeyId: string;
  secrets: Record<string, StoredValue[]>;
}
interface KeyPair {
  readonly enc: Buffer;
  readonly mac: Buffer;
}
interface State {
  readonly body: Body;
  readonly keys: Map<string, KeyPair>;
  /** The record the first given key matches, if any. */
  readonly writeKeyId: string | undefined;
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
const subkeys = (master: Uint8Array): KeyPair => ({
  enc: Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `${FORMAT} enc`, 32)),
  mac: Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `${FORMAT} mac`, 32)),
});
const keyCheck = (pair: KeyPair, id: string): Buffer => createHmac('sha256', pair.mac).update(`${FORMAT} key-check ${id}`).digest();
const bodyMac = (pair: KeyPair, body: Body): Buffer => createHmac('sha256', pair.mac).update(`${FORMAT}\0${JSON.stringify(body)}`).digest();
/**
 * A plain SHA-256 of the body, checked before any key is tried: damage anywhere in the file (a key
 * record's id, check or salt included) reads as damage, not as a wrong passphrase. It proves no
 * authorship: the HMAC, checked once a key opens the store, does.
 */
const bodyDigest = (body: Body): string => createHash('sha256').update(`${FORMAT}\0${JSON.stringify(body)}`).digest('base64');
const aad = (name: string, v: number, kid: string): Buffer => Buffer.from(`${FORMAT}\0${name}\0${v}\0${kid}`, 'utf8');
const safeEqual = (a: Buffer, b: Buffer): boolean => a.length === b.length && timingSafeEqual(a, b);

function parseKeyFile(bytes: Buffer, path: string): Buffer {
  if (bytes.length === 32) return bytes;
  const text = bytes.toString('utf8').trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  const decoded = Buffer.from(text, 'base64');
  if (decoded.length === 32 && /^[A-Za-z0-9+/_=-]+$/.test(text)) return decoded;
  throw invalidOption('keyFile', path, 'a file holding a 32-byte key (raw, base64 or hex); make one with `bulwark-secrets keygen`');
}

function validateBody(value: unknown): value is { format: string; body: Body; digest: string; mac: string } {
  const file = value as { format?: unknown; body?: Partial<Body>; digest?: unknown; mac?: unknown };
  if (typeof file !== 'object' || file === null || file.format !== FORMAT || typeof file.mac !== 'string' || typeof file.digest !== 'string') {
    return false;
  }
  const body = file.body;
  if (typeof body !== 'object' || body === null || !Array.isArray(body.keys) || typeof body.macKeyId !== 'string') return false;
  if (typeof body.secrets !== 'object' || body.secrets === null) return false;
  for (const versions of Object.values(body.secrets)) {
    if (!Array.isArray(versions) || versions.length === 0) return false;
    for (const v of versions) {
      if (typeof v?.v !== 'number' || typeof v.kid !== 'string' || typeof v.n !== 'string' || typeof v.c !== 'string') return false;
    }
  }
  return body.keys.every((k) => typeof k?.id === 'string' && typeof k.check === 'string' && typeof k.kdf?.algorithm === 'string');
}

const KEY_KINDS = ['passphrase', 'keyFile', 'key'] as const;

const STORE_KEY_OPTIONS = knownOptions<StoreKey>('encryptedFileStore()', {
  passphrase: ['password', 'pass', 'secret'],
  keyFile: ['file', 'path', 'keyPath'],
  key: ['bytes', 'raw'],
});

/**
 * Checks one of the `keys` option, naming the field that is wrong. A passphrase or key is never
 * echoed, nor anything given where one was expected (it may be one in the wrong place): only its kind.
 */
function checkStoreKey(k: StoreKey, i: number): void {
  const field = `keys[${i}]`;
  if (typeof k !== 'object' || k === null || Array.isArray(k)) {
    throw invalidOption(field, k, 'a { passphrase }, { keyFile } or { key } object', { redact: true });
  }
  expectOptions(field, k, STORE_KEY_OPTIONS);
  // Two kinds in one object would leave which one opens the store to the order of checks.
  const kinds = KEY_KINDS.filter((kind) => kind in k);
  if (kinds.length !== 1) {
    const got = kinds.length === 0 ? 'none of them' : `${kinds.map((kind) => `\`${kind}\``).join(' and ')} together`;
    throw new TypeError(`Expected \`${field}\` to hold one of \`passphrase\`, \`keyFile\` or \`key\`, got ${got}.`);
  }
  if ('passphrase' in k) {
    const passphrase: unknown = isSecret(k.passphrase) ? k.passphrase.reveal() : k.passphrase;
    // An unset variable read as '' would otherwise encrypt the store under a key anyone can derive.
    if (typeof passphrase !== 'string' || passphrase === '') {
      throw invalidOption(`${field}.passphrase`, passphrase, 'a non-empty string (an empty passphrase protects nothing)', {
        redact: passphrase !== '',
      });
    }
  }
  if ('keyFile' in k && (typeof k.keyFile !== 'string' || k.keyFile === '')) {
    throw invalidOption(`${field}.keyFile`, k.keyFile, 'the path of a key file', { redact: k.keyFile !== '' });
  }
  if ('key' in k) {
    // Known now, so said now: not at the first read or write, which may come long after start-up.
    const bytes: unknown = isSecret(k.key) ? k.key.reveal() : k.key;
    const length = bytes instanceof Uint8Array ? bytes.length : undefined;
    const expected = '32 bytes (a Uint8Array such as a Buffer, or a Secret of one)';
    if (length === undefined && !isSecret(k.key)) throw invalidOption(`${field}.key`, k.key, expected, { redact: true });
    if (length === undefined) throw new TypeError(`Expected \`${field}.key\` to be ${expected}, got a Secret of something else.`);
    if (length !== 32) throw new TypeError(`Expected \`${field}.key\` to be 32 bytes, got ${length} bytes.`);
  }
}

const ENCRYPTED_FILE_STORE_OPTIONS = knownOptions<EncryptedFileStoreOptions>('encryptedFileStore()', {
  path: [],
  keys: ['key', 'passphrase', 'keyFile'],
  kdf: [],
  historyLimit: [],
  lockTimeoutMs: [],
  staleLockMs: [],
  clock: [],
  name: [],
});

/**
 * An encrypted file of secrets at rest, with a version history per secret.
 *
 * Each value is sealed with AES-256-GCM under a fresh 12-byte nonce, with the secret's name,
 * version and key id as associated data (a value cannot be moved to another name or version). The
 * whole file carries an HMAC, so removed or reordered entries are detected too, and a SHA-256
 * checksum, checked before any key is tried, so a damaged file is reported as damaged. Keys come from a
 * passphrase (Argon2id where the runtime has it, else scrypt; parameters stored per key record) or
 * a key file; each value records its key id, so values written under an older key still open when
 * that key is given too. Writes are atomic (temporary file, fsync, rename) and serialised across
 * processes by a lock file, so concurrent writers lose no update and a crash loses nothing.
 *
 * A store that fails its integrity check, or that none of the given keys opens, is neither read
 * nor written: `SecretStoreCorruptError` or `SecretStoreWrongKeyError`.
 *
 * @example
 * ```ts
 * const store = encryptedFileStore({ path: 'secrets.enc.json', keys: [{ passphrase: process.env.STORE_PASSPHRASE! }] });
 * await store.set('STRIPE_KEY', 'sk_test_123');
 * const vault = secretManager({ providers: [envProvider(), store] });
 * ```
 */
export function encryptedFileStore(options: EncryptedFileStoreOptions): EncryptedFileStore {
  expectOptions('options', options, ENCRYPTED_FILE_STORE_OPTIONS);
  const path = options?.path;
  if (typeof path !== 'string' || path === '') throw invalidOption('path', path, 'a file path');
  if (!Array.isArray(options.keys) || options.keys.length === 0) throw invalidOption('keys', options.keys, 'a non-empty array of keys');
  options.keys.forEach((k, i) => checkStoreKey(k, i));
  const kdf = resolveKdf(options.kdf);
  const historyLimit = options.historyLimit ?? 10;
  expectInteger('historyLimit', historyLimit, { min: 2 });
  const lockTimeoutMs = options.lockTimeoutMs ?? 10_000;
  expectNumber('lockTimeoutMs', lockTimeoutMs, { min: 0 });
  const staleLockMs = options.staleLockMs ?? 30_000;
  // The holder refreshes its lock every staleLockMs / 3: much shorter, and a busy event loop (a GC
  // pause, a slow disk) would let a waiter take over a live writer's lock.
  expectNumber('staleLockMs', staleLockMs, {
    min: MIN_STALE_LOCK_MS,
    reason: "a lock's holder refreshes it every staleLockMs / 3; a shorter one would let a busy event loop lose a live writer's lock",
  });
  expectClock('clock', options.clock);
  const clock = options.clock ?? systemClock;
  const providerName = options.name ?? 'encryptedFileStore';
  expectName(providerName);
  const givenKeys = options.keys;

  // Derived keys, by given-key index and record id: a passphrase is stretched once per record.
  const derived = new Map<string, KeyPair | null>();
  const rawKeys = new Map<number, Buffer>();
  let newRecord: { record: StoredKeyRecord; pair: KeyPair } | undefined;
  let readCache: { stamp: string; state: State } | undefined;
  let queue: Promise<unknown> = Promise.resolve();

  const rawKey = async (index: number): Promise<Buffer> => {
    const cached = rawKeys.get(index);
    if (cached !== undefined) return cached;
    const k = givenKeys[index]!;
    let bytes: Buffer;
    if ('keyFile' in k) bytes = parseKeyFile(await readFile(k.keyFile), k.keyFile);
    else if ('key' in k) bytes = Buffer.from(isSecret(k.key) ? k.key.reveal() : k.key);
    else throw new Error('not a raw key');
    if (bytes.length !== 32) throw invalidOption(`keys[${index}].key`, `${bytes.length} bytes`, '32 bytes');
    rawKeys.set(index, bytes);
    return bytes;
  };
  const passphraseOf = (index: number): string | undefined => {
    const k = givenKeys[index]!;
    if (!('passphrase' in k)) return undefined;
    return isSecret(k.passphrase) ? k.passphrase.reveal() : k.passphrase;
  };

  const tryKey = async (index: number, record: StoredKeyRecord): Promise<KeyPair | null> => {
    const cacheKey = `${index}:${record.id}:${record.check}`;
    const known = derived.get(cacheKey);
    if (known !== undefined) return known;
    const passphrase = passphraseOf(index);
    let pair: KeyPair | null = null;
    if ((passphrase === undefined) === (record.kdf.algorithm === 'raw')) {
      const master = passphrase === undefined ? await rawKey(index) : await deriveKey(passphrase, record.kdf);
      const candidate = subkeys(master);
      if (safeEqual(keyCheck(candidate, record.id), Buffer.from(record.check, 'base64'))) pair = candidate;
    }
    derived.set(cacheKey, pair);
    return pair;
  };

  const load = async (text: string | undefined): Promise<State> => {
    if (text === undefined) {
      return { body: { keys: [], macKeyId: '', secrets: {} }, keys: new Map(), writeKeyId: undefined };
    }
    let file: unknown;
    try {
      file = JSON.parse(text);
    } catch (error) {
      throw new SecretStoreCorruptError(path, 'it is not valid JSON', { cause: error });
    }
    if (!validateBody(file)) throw new SecretStoreCorruptError(path, `it is not a ${FORMAT} store`);
    const body = file.body;
    // Integrity first: a damaged key record must not read as a wrong key. The base64 texts are
    // compared, so that even a change to a padding bit is seen.
    if (bodyDigest(body) !== file.digest) throw new SecretStoreCorruptError(path, 'its checksum (SHA-256) does not match its content');
    const keys = new Map<string, KeyPair>();
    let writeKeyId: string | undefined;
    for (const record of body.keys) {
      for (let i = 0; i < givenKeys.length; i++) {
        const pair = await tryKey(i, record);
        if (pair === null) continue;
        keys.set(record.id, pair);
        if (i === 0 && writeKeyId === undefined) writeKeyId = record.id;
        break;
      }
    }
    const ids = body.keys.map((k) => k.id);
    if (keys.size === 0) {
      throw new SecretStoreWrongKeyError(
        path,
        ids,
        `none of the ${givenKeys.length} key(s) given opens this store: wrong passphrase or key file (the store's keys: ${ids.join(', ')}).`,
      );
    }
    const macPair = keys.get(body.macKeyId);
    if (macPair === undefined) {
      throw new SecretStoreWrongKeyError(path, ids, `it was last written under key ${body.macKeyId}, which none of the given keys opens; give that key too.`);
    }
    if (!safeEqual(Buffer.from(b64(bodyMac(macPair, body))), Buffer.from(file.mac))) {
      throw new SecretStoreCorruptError(path, 'its integrity check (HMAC) failed');
    }
    return { body, keys, writeKeyId };
  };

  const readText = async (): Promise<string | undefined> => {
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  };

  /** The verified state for reading, re-read only when the file changed. */
  const current = async (): Promise<State> => {
    let stamp = 'missing';
    try {
      const s = await stat(path, { bigint: true });
      stamp = `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (readCache !== undefined && readCache.stamp === stamp) return readCache.state;
    const state = await load(await readText());
    readCache = { stamp, state };
    return state;
  };

  const open = (state: State, name: string, stored: StoredValue): Secret<string> => {
    const pair = state.keys.get(stored.kid);
    if (pair === undefined) {
      throw new SecretStoreWrongKeyError(
        path,
        state.body.keys.map((k) => k.id),
        `version v${stored.v} of ${quote(name)} is under key ${stored.kid}, which none of the given keys opens; give that key too.`,
      );
    }
    const sealed = Buffer.from(stored.c, 'base64');
    try {
      const decipher = createDecipheriv('aes-256-gcm', pair.enc, Buffer.from(stored.n, 'base64'));
      decipher.setAAD(aad(name, stored.v, stored.kid));
      decipher.setAuthTag(sealed.subarray(sealed.length - 16));
      const plain = Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()]);
      return new Secret(plain.toString('utf8'), { name, version: `v${stored.v}` });
    } catch (error) {
      throw new SecretStoreCorruptError(path, `version v${stored.v} of ${quote(name)} failed authentication`, { cause: error });
    }
  };

  const seal = (pair: KeyPair, kid: string, name: string, v: number, value: string): StoredValue => {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', pair.enc, nonce);
    cipher.setAAD(aad(name, v, kid));
    const sealed = Buffer.concat([cipher.update(value, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return { v, kid, n: b64(nonce), c: b64(sealed), at: clock.now() };
  };

  const makeRecord = async (): Promise<{ record: StoredKeyRecord; pair: KeyPair }> => {
    if (newRecord !== undefined) return newRecord;
    const id = randomBytes(4).toString('hex');
    const passphrase = passphraseOf(0);
    let record: KdfRecord;
    let master: Buffer;
    if (passphrase === undefined) {
      record = { algorithm: 'raw' };
      master = await rawKey(0);
    } else {
      const salt = b64(randomBytes(16));
      record = kdf.algorithm === 'scrypt' ? { ...kdf, salt } : { ...kdf, salt };
      master = await deriveKey(passphrase, record);
    }
    const pair = subkeys(master);
    newRecord = { record: { id, kdf: record, check: b64(keyCheck(pair, id)), createdAt: clock.now() }, pair };
    return newRecord;
  };

  /** Read-modify-write under the cross-process lock, serialised in this process too. */
  const mutate = <T>(change: (state: State, writeKey: { id: string; pair: KeyPair }) => T): Promise<T> => {
    const attempt = async (): Promise<{ done: true; result: T } | { done: false }> => {
      const lock = await acquireLock(`${path}.lock`, { timeoutMs: lockTimeoutMs, staleMs: staleLockMs, clock });
      try {
        await removeStaleTempFiles(path);
        await removeStaleTempFiles(`${path}.lock`);
        const state = await load(await readText());
        let writeKey: { id: string; pair: KeyPair };
        if (state.writeKeyId !== undefined) {
          writeKey = { id: state.writeKeyId, pair: state.keys.get(state.writeKeyId)! };
        } else {
          const made = await makeRecord();
          state.body.keys.push(made.record);
          state.keys.set(made.record.id, made.pair);
          writeKey = { id: made.record.id, pair: made.pair };
        }
        const result = change(state, writeKey);
        state.body.macKeyId = writeKey.id;
        const mac = b64(bodyMac(writeKey.pair, state.body));
        const text = `${JSON.stringify({ format: FORMAT, body: state.body, digest: bodyDigest(state.body), mac }, null, 1)}\n`;
        // Commit only while the lock is still ours (nobody took it over as stale meanwhile).
        if (!(await atomicWrite(path, text, () => lock.stillHeld()))) return { done: false };
        readCache = undefined;
        return { done: true, result };
      } finally {
        await lock.release();
      }
    };
    const run = async (): Promise<T> => {
      for (let i = 0; i < 3; i++) {
        const outcome = await attempt();
        if (outcome.done) return outcome.result;
      }
      throw new SecretStoreLockedError(`${path}.lock`, lockTimeoutMs);
    };
    const next = queue.then(run, run);
    queue = next.catch(() => {});
    return next;
  };

  const checkName = (name: unknown): void => {
    if (typeof name !== 'string' || name === '' || name.length > 256) throw invalidOption('name', name, 'a non-empty string of at most 256 characters');
  };

  const addVersion = (name: string, value: string): ((state: State, key: { id: string; pair: KeyPair }) => Secret<string>) => {
    return (state, key) => {
      const versions = state.body.secrets[name] ?? [];
      const v = (versions.at(-1)?.v ?? 0) + 1;
      state.body.secrets[name] = [...versions, seal(key.pair, key.id, name, v, value)].slice(-historyLimit);
      return new Secret(value, { name, version: `v${v}` });
    };
  };

  const valueOf = (value: unknown): string => {
    const raw = isSecret(value) ? value.reveal() : value;
    if (typeof raw !== 'string' || raw === '') throw invalidOption('value', raw, 'a non-empty string', { redact: raw !== '' });
    return raw;
  };

  const readState = async (name?: string): Promise<State> => {
    try {
      return await current();
    } catch (error) {
      if (error instanceof SecretStoreCorruptError || error instanceof SecretStoreWrongKeyError) throw error;
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      throw new SecretProviderFailedError(providerName, name, `cannot read ${path} (${code}).`, { cause: error });
    }
  };

  return {
    name: providerName,
    path,
    async fetch(name: string): Promise<SecretVersions | undefined> {
      const state = await readState(name);
      const versions = state.body.secrets[name];
      if (versions === undefined) return undefined;
      const current = open(state, name, versions.at(-1)!);
      const stored = versions.at(-2);
      let previous: Secret<string> | undefined;
      // The previous version may still be under a key retired since (before a rekey): then there
      // is no previous to offer, which is not a reason to refuse the current one. Tampering is.
      if (stored !== undefined && state.keys.has(stored.kid)) previous = open(state, name, stored);
      return { current, previous };
    },
    async list(): Promise<readonly string[]> {
      return Object.keys((await readState()).body.secrets).sort();
    },
    async get(name: string, version?: string): Promise<Secret<string>> {
      checkName(name);
      const state = await readState(name);
      const versions = state.body.secrets[name];
      const stored = version === undefined ? versions?.at(-1) : versions?.find((v) => `v${v.v}` === version);
      if (stored === undefined) throw new SecretNotFoundError(version === undefined ? name : `${name}@${version}`, [providerName]);
      return open(state, name, stored);
    },
    async set(name: string, value: string | Secret<string>): Promise<string> {
      checkName(name);
      const raw = valueOf(value);
      return (await mutate(addVersion(name, raw))).version!;
    },
    async rotate(name: string, value?: string | Secret<string>): Promise<Secret<string>> {
      checkName(name);
      const raw = value === undefined ? randomBytes(32).toString('base64url') : valueOf(value);
      return mutate(addVersion(name, raw));
    },
    async delete(name: string): Promise<boolean> {
      checkName(name);
      return mutate((state) => {
        const existed = state.body.secrets[name] !== undefined;
        delete state.body.secrets[name];
        return existed;
      });
    },
    async describe(): Promise<readonly StoredSecretInfo[]> {
      const state = await readState();
      return Object.entries(state.body.secrets)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, versions]) => ({
          name,
          versions: versions.map((v) => ({ version: `v${v.v}`, keyId: v.kid, createdAt: v.at })),
        }));
    },
    async rekey(): Promise<RekeyResult> {
      return mutate((state, key) => {
        let reencrypted = 0;
        for (const [name, versions] of Object.entries(state.body.secrets)) {
          state.body.secrets[name] = versions.map((stored) => {
            if (stored.kid === key.id) return stored;
            reencrypted++;
            return seal(key.pair, key.id, name, stored.v, open(state, name, stored).reveal());
          });
        }
        const removedKeyIds = state.body.keys.filter((k) => k.id !== key.id).map((k) => k.id);
        state.body.keys = state.body.keys.filter((k) => k.id === key.id);
        return { keyId: key.id, reencrypted, removedKeyIds };
      });
    },
  };
}

const KDF_OPTIONS = knownOptions<KdfOptions>('encryptedFileStore()', {
  algorithm: [],
  cost: ['N'],
  blockSize: ['r'],
  parallelization: ['p'],
  memoryKiB: [],
  passes: [],
  parallelism: [],
});

function resolveKdf(kdf: KdfOptions | undefined): Omit<Extract<KdfRecord, { algorithm: 'scrypt' }>, 'salt'> | Omit<Extract<KdfRecord, { algorithm: 'argon2id' }>, 'salt'> {
  if (kdf !== undefined) expectOptions('kdf', kdf, KDF_OPTIONS);
  const algorithm = kdf?.algorithm ?? (hasArgon2 ? 'argon2id' : 'scrypt');
  if (algorithm === 'scrypt') {
    const k = (kdf ?? {}) as Extract<KdfOptions, { algorithm: 'scrypt' }>;
    const cost = k.cost ?? 2 ** 17;
    expectInteger('kdf.cost', cost, { min: 2, max: 2 ** 24 });
    if ((cost & (cost - 1)) !== 0) throw invalidOption('kdf.cost', cost, 'a power of two');
    const blockSize = k.blockSize ?? 8;
    expectInteger('kdf.blockSize', blockSize, { min: 1, max: 64 });
    const parallelization = k.parallelization ?? 1;
    expectInteger('kdf.parallelization', parallelization, { min: 1, max: 16 });
    return { algorithm, cost, blockSize, parallelization };
  }
  if (algorithm !== 'argon2id') throw invalidOption('kdf.algorithm', algorithm, "'scrypt' or 'argon2id'");
  if (!hasArgon2) throw invalidOption('kdf.algorithm', algorithm, "'scrypt' (this Node.js runtime has no crypto.argon2; Node 24.7 and later do)");
  const k = (kdf ?? {}) as Extract<KdfOptions, { algorithm: 'argon2id' }>;
  const memoryKiB = k.memoryKiB ?? 19_456;
  expectInteger('kdf.memoryKiB', memoryKiB, { min: 64, max: 4_194_304 });
  const passes = k.passes ?? 2;
  expectInteger('kdf.passes', passes, { min: 2, max: 100 });
  const parallelism = k.parallelism ?? 1;
  expectInteger('kdf.parallelism', parallelism, { min: 1, max: 64 });
  return { algorithm, memoryKiB, passes, parallelism };
}
