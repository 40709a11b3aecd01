import { redisScript, StoreUnavailableError, type Clock, type Policy, type RedisClient, type RedisConnection } from '@bulwark/core';
import { CacheIntegrityError, isCacheIntegrityError } from '../cache-integrity-error.js';
import { decodeEntry, encodeEntry } from './envelope.js';
import type { Entry } from './entry.js';
import { KeyLayout } from './key-layout.js';
import { L2Guard } from './l2-guard.js';
import { ReadMemo } from './read-memo.js';
import type { Reporter } from './reporter.js';
import { isSealed, seal, unseal, type SealingKey } from './seal.js';
import type { RedisCacheSettings } from '../redis-cache-store.js';

/** What a Redis read found: the entry if valid, and the versions current at the time. */
export interface L2Read {
  entry: Entry | undefined;
  keyVersion: number;
  nsVersion: number;
  tagVersions: readonly number[];
}

const NO_VERSIONS: readonly number[] = Object.freeze([]);
// Makes a counter outlive an entry that refers to it: moves its expiry out to ARGV[1] (Unix ms) if
// that is later, or, if it has expired (and with it every entry that referred to it), makes it
// again at ARGV[2], the version the entry was computed under, so that instances agree on it.
const TOUCH = redisScript(
  "local at = tonumber(ARGV[1]) local cur = redis.call('PEXPIRETIME', KEYS[1]) " +
  "if cur == -2 then redis.call('SET', KEYS[1], ARGV[2], 'PXAT', at) " +
  "elseif cur >= 0 and cur < at then redis.call('PEXPIREAT', KEYS[1], at) end return 0",
);
/** Counters outlive the entries that refer to them by this much (clock skew between instances and Redis). */
const COUNTER_MARGIN_MS = 600_000;

/** The store's name in errors. */
export const STORE = 'redisCacheStore';

/**
 * The Redis tier (L2): every operation under the store's deadline (core's timeout, one timer for
 * all calls in flight) and through the caller's policy or the built-in guard; entries read with the
 * versions they must match (key, namespace, tags), from the read memo when the subscription vouches
 * for them; entries written with their counters kept alive; values sealed when keys are given.
 * A failure is reported through `onStoreError` and never reaches the caller.
 */
export class RedisTier {
  readonly connection: RedisConnection;
  readonly keys: KeyLayout;
  /** Versions vouched for by the subscription, and the last text read per key, decoded. */
  readonly memo: ReadMemo;
  readonly #clock: Clock;
  readonly #report: Reporter;
  readonly #policy: Policy<any> | undefined;
  readonly #guard: L2Guard | undefined;
  #sealingKeys: readonly SealingKey[] | undefined;
  /** Set by the cache's `close()`: operations fail at once, but for releasing a lease. */
  closed = false;

  constructor(settings: RedisCacheSettings, sealingKeys: readonly SealingKey[] | undefined, clock: Clock, report: Reporter) {
    this.connection = settings.redis;
    this.keys = new KeyLayout(settings.prefix);
    this.memo = new ReadMemo(this.keys.namespace);
    this.#clock = clock;
    this.#report = report;
    this.#policy = settings.policy;
    this.#guard = settings.policy === undefined ? new L2Guard(settings.threshold, settings.halfOpenAfterMs, clock) : undefined;
    this.#sealingKeys = sealingKeys;
  }

  /** Replaces the sealing keys (checked by the caller); a value sealed under a key just dropped stops opening. */
  setSealingKeys(keys: readonly SealingKey[]): void {
    this.#sealingKeys = keys;
    this.memo.forgetDecoded();
  }

  /** Runs one Redis operation under the breaker and the store's deadline; fails fast when not connected. */
  call<T>(operation: string, fn: (commands: RedisClient) => Promise<T>): Promise<T> {
    const policy = this.#policy;
    if (policy !== undefined) return policy.execute(() => this.#send(operation, fn, undefined, false)) as Promise<T>;
    // The built-in guard is inline rather than one more policy layer: this is the hot read path.
    const guard = this.#guard!;
    let probe: boolean;
    try {
      probe = guard.admit();
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#send(operation, fn, guard, probe);
  }

  /** `fn` through the store's connection; its outcome reported to `guard` when given. */
  #send<T>(operation: string, fn: (commands: RedisClient) => Promise<T>, guard: L2Guard | undefined, probe: boolean): Promise<T> {
    const send = (commands: RedisClient): Promise<T> => {
      if (this.closed && operation !== 'release') throw new StoreUnavailableError(STORE, operation, 'the cache is closed');
      return fn(commands);
    };
    return this.connection.call(operation, send).then(
      (value) => {
        guard?.succeeded(probe);
        return value;
      },
      (error: unknown) => {
        guard?.failed(probe);
        throw error;
      },
    );
  }

  /** Reports a failed operation (or a rejected value) through `onStoreError`. */
  report(operation: string, error: unknown): void {
    this.#report.storeFailed(operation, () => (isCacheIntegrityError(error) ? error : this.connection.failure(operation, error)));
  }

  /** Versions of `counters` that memory vouches for, and the indexes of those to read from Redis. */
  #remembered(counters: readonly string[]): { versions: number[]; missing: number[] } {
    const versions: number[] = [];
    const missing: number[] = [];
    for (let i = 0; i < counters.length; i++) {
      const v = this.memo.counter(counters[i]!);
      if (v === undefined) missing.push(i);
      else versions[i] = v;
    }
    return { versions, missing };
  }

  /** Fills in the counters read from Redis (`got[j]` is `counters[missing[j]]`), and remembers them. */
  #fill(counters: readonly string[], versions: number[], missing: readonly number[], got: readonly unknown[], generation: number): void {
    for (let j = 0; j < missing.length; j++) {
      const i = missing[j]!;
      versions[i] = Number(got[j] ?? 0);
      this.memo.learnCounter(counters[i]!, versions[i], generation);
    }
  }

  /**
   * Current versions of counters: from memory when the subscription vouches for them, else read
   * from Redis, one single-key GET each, sent together under one deadline.
   */
  async #counters(counters: readonly string[]): Promise<number[]> {
    const generation = this.memo.generation;
    const { versions, missing } = this.#remembered(counters);
    if (missing.length === 0) return versions;
    const got = await this.call('read', (c) => Promise.all(missing.map((i) => c.get(counters[i]!))));
    this.#fill(counters, versions, missing, got, generation);
    return versions;
  }

  /** The versions a value written now for `key` is computed under; `undefined` (reported) when Redis failed. */
  async versions(key: string, tags: readonly string[]): Promise<L2Read | undefined> {
    const keys = this.keys;
    const memo = this.memo;
    const generation = memo.generation;
    const entryKey = keys.entry(key);
    let keyVersion = memo.keyVersion(memo.key(entryKey));
    const counters = [keys.namespace];
    for (const t of tags) counters.push(keys.tag(t));
    const { versions, missing } = this.#remembered(counters);
    try {
      if (keyVersion === undefined || missing.length > 0) {
        const readKeyVersion = keyVersion === undefined;
        const got = await this.call('read', (c) => {
          const reads: Array<Promise<unknown>> = readKeyVersion ? [c.get(keys.keyVersion(entryKey))] : [];
          for (const i of missing) reads.push(c.get(counters[i]!));
          return Promise.all(reads);
        });
        if (readKeyVersion) {
          keyVersion = Number(got[0] ?? 0);
          memo.learnKey(entryKey, keyVersion, generation);
        }
        this.#fill(counters, versions, missing, readKeyVersion ? got.slice(1) : got, generation);
      }
    } catch (error) {
      this.report('read', error);
      return undefined;
    }
    return { entry: undefined, keyVersion: keyVersion!, nsVersion: versions[0]!, tagVersions: tags.length === 0 ? NO_VERSIONS : versions.slice(1) };
  }

  /**
   * Reads an entry with the versions it must match: its key's, the namespace's and its tags'. An
   * entry computed under older versions was invalidated and reads as absent. With the versions in
   * memory this is one GET of the entry; otherwise the entry and its key version are one MGET (one
   * slot), and each other counter one GET, all sent at once. When an entry disagrees with a
   * version from memory, that version is read again once: the entry may be a late write, or the
   * counter may have expired and been made again. `undefined` (reported) when Redis failed.
   */
  async read(key: string, tags: readonly string[], again = false): Promise<L2Read | undefined> {
    const keys = this.keys;
    const memo = this.memo;
    const generation = memo.generation;
    const entryKey = keys.entry(key);
    let record = memo.key(entryKey);
    let keyVersion = memo.keyVersion(record);
    let nsVersion = memo.counter(keys.namespace);
    const keyRemembered = keyVersion !== undefined;
    const nsRemembered = nsVersion !== undefined;
    let tagVersions: readonly number[] = NO_VERSIONS;
    let raw: string | undefined;
    try {
      if (keyVersion !== undefined && nsVersion !== undefined && tags.length === 0) {
        raw = ((await this.call('read', (c) => c.get(entryKey))) as string | null) ?? undefined;
      } else {
        const counters = [keys.namespace];
        for (const t of tags) counters.push(keys.tag(t));
        const { versions, missing } = this.#remembered(counters);
        const readKeyVersion = keyVersion === undefined;
        // One deadline and one breaker call for the whole read; every command is single-slot.
        const got = await this.call('read', (c) => {
          const reads: Array<Promise<unknown>> = [readKeyVersion ? c.mGet([entryKey, keys.keyVersion(entryKey)]) : c.get(entryKey)];
          for (const i of missing) reads.push(c.get(counters[i]!));
          return Promise.all(reads);
        });
        if (readKeyVersion) {
          const pair = got[0] as Array<string | null>;
          raw = pair[0] ?? undefined;
          keyVersion = Number(pair[1] ?? 0);
          memo.learnKey(entryKey, keyVersion, generation);
          record = memo.key(entryKey);
        } else {
          raw = (got[0] as string | null) ?? undefined;
        }
        this.#fill(counters, versions, missing, got.slice(1), generation);
        nsVersion = versions[0]!;
        if (tags.length > 0) tagVersions = versions.slice(1);
      }
    } catch (error) {
      this.report('read', error);
      return undefined;
    }
    const read: L2Read = { entry: undefined, keyVersion: keyVersion!, nsVersion: nsVersion!, tagVersions };
    if (raw === undefined || raw === null) return read;
    let e: Entry;
    if (record !== undefined && record.raw === raw) {
      e = record.entry!;
    } else {
      try {
        e = decodeEntry(key, this.#open(entryKey, raw));
      } catch (error) {
        this.#report.integrityErrors++;
        this.report('read', new CacheIntegrityError(key, error instanceof Error ? error.message : String(error)));
        return read;
      }
      memo.decoded(entryKey, raw, e);
    }
    if (e.keyVersion !== read.keyVersion) {
      if (!keyRemembered || record === undefined) return read;
      memo.forgetKey(record);
      return again ? read : this.read(key, tags, true);
    }
    if (e.nsVersion !== read.nsVersion) {
      if (!nsRemembered) return read;
      memo.forgetCounter(keys.namespace);
      return again ? read : this.read(key, tags, true);
    }
    if (e.tags.length > 0) {
      // The entry's own tags: those the caller named were read above, the others now.
      let current: readonly number[];
      if (e.tags === tags || (e.tags.length === tags.length && e.tags.every((t, i) => t === tags[i]))) {
        current = tagVersions;
      } else {
        try {
          current = await this.#counters(e.tags.map((t) => keys.tag(t)));
        } catch (error) {
          this.report('read', error);
          return undefined;
        }
      }
      for (let i = 0; i < e.tags.length; i++) {
        if (e.tagVersions[i] !== current[i]) {
          const counter = keys.tag(e.tags[i]!);
          if (memo.counter(counter) === undefined) return read;
          memo.forgetCounter(counter);
          return again ? read : this.read(key, tags, true);
        }
      }
    }
    read.entry = e;
    return read;
  }

  #open(entryKey: string, raw: string): string {
    const keys = this.#sealingKeys;
    if (keys === undefined) {
      if (isSealed(raw)) throw new Error('it is sealed and this cache has no sealing keys');
      return raw;
    }
    if (!isSealed(raw)) throw new Error('it is not sealed and this cache requires sealed values');
    return unseal(keys, entryKey, raw);
  }

  /** Writes an entry (sealed when keys are set), keeping the counters it was computed under alive; a failure is reported. */
  async write(e: Entry): Promise<void> {
    const keys = this.keys;
    const entryKey = keys.entry(e.key);
    const plain = encodeEntry(e);
    const sealing = this.#sealingKeys;
    const stored = sealing === undefined ? plain : seal(sealing, entryKey, plain);
    // Redis expires the entry on the server's clock once every window has passed.
    const expires = Date.now() + Math.max(1, Math.ceil(e.retainUntil - this.#clock.now()));
    // The key and tag counters the entry was computed under must outlive it, or an invalidated
    // entry could match a counter made again from nothing; they are touched first, on the way.
    const keepUntil = String(expires + COUNTER_MARGIN_MS);
    const redis = this.connection;
    try {
      await this.call('write', (c) => {
        const writes: Array<Promise<unknown>> = [redis.evalScript(c, TOUCH, [keys.keyVersion(entryKey)], [keepUntil, String(e.keyVersion)])];
        for (let i = 0; i < e.tags.length; i++) {
          writes.push(redis.evalScript(c, TOUCH, [keys.tag(e.tags[i]!)], [keepUntil, String(e.tagVersions[i])]));
        }
        writes.push(c.set(entryKey, stored, { PXAT: expires }));
        return Promise.all(writes);
      });
    } catch (error) {
      this.report('write', error);
    }
  }
}
