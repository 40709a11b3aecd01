import type { Entry } from './entry.js';

const MAX_KEYS = 1024;
const MAX_COUNTERS = 10_000;
/** Longer texts are decoded on every read rather than kept. */
const MAX_MEMO_CHARS = 16 * 1024;

/** What is remembered of one key between reads. */
export interface KeyRecord {
  /** The key's version counter, as of `epoch`. */
  keyVersion: number;
  /** The memo's epoch `keyVersion` was learned in; -1 for none. */
  epoch: number;
  /** The last text read for the key, and its decoded entry: the same text is not parsed (and unsealed) again. */
  raw: string | undefined;
  entry: Entry | undefined;
}

/**
 * What the Redis read path remembers between reads, so that a read is one GET of the entry:
 * version counters (of keys, tags and the namespace) kept current by the ordered invalidation
 * announcements, and per key the last text read with its decoded entry.
 *
 * Versions are trusted only while the subscription is known to be healthy: whenever it may have
 * missed an announcement (not yet subscribed, an error, a reconnect) they are forgotten and the
 * epoch moves on. A value read from Redis is kept only if nothing was forgotten since its command
 * was sent (the `generation` captured before sending): a reply from before a forget may predate the
 * announcement that made it stale. Counters only grow (see the INVALIDATE script), so the larger of
 * two values heard is the newer. Lookups are one map access per key, since on a loaded machine each
 * costs more than it seems.
 */
export class ReadMemo {
  readonly #keys = new Map<string, KeyRecord>();
  readonly #counters = new Map<string, number>();
  readonly #namespaceCounter: string;
  #namespace: number | undefined = undefined;
  #healthy = false;
  /** Moves on when every version is forgotten: key records of an older epoch are not trusted. */
  #epoch = 0;
  /** Moves on at every forgetting, of all versions or of one: replies to commands sent before are not kept. */
  #generation = 0;

  constructor(namespaceCounter: string) {
    this.#namespaceCounter = namespaceCounter;
  }

  /** Capture before sending a command whose reply will be learned. */
  get generation(): number {
    return this.#generation;
  }

  /** The subscription is up: every announcement from now on will be heard. */
  trust(): void {
    this.#forget();
    this.#healthy = true;
  }

  /** The subscription may miss announcements: versions are read from Redis until it is trusted again. */
  distrust(): void {
    this.#forget();
    this.#healthy = false;
  }

  #forget(): void {
    this.#counters.clear();
    this.#namespace = undefined;
    this.#epoch++;
    this.#generation++;
  }

  /** The current value of a tag or namespace counter, when known. */
  counter(name: string): number | undefined {
    if (!this.#healthy) return undefined;
    return name === this.#namespaceCounter ? this.#namespace : this.#counters.get(name);
  }

  /** A counter value read by a command sent during `generation`, or announced. */
  learnCounter(name: string, version: number, generation: number): void {
    if (!this.#healthy || generation !== this.#generation) return;
    if (name === this.#namespaceCounter) {
      if (this.#namespace === undefined || this.#namespace < version) this.#namespace = version;
      return;
    }
    const known = this.#counters.get(name);
    if (known !== undefined && known >= version) return;
    if (known === undefined && this.#counters.size >= MAX_COUNTERS) this.#counters.clear();
    this.#counters.set(name, version);
  }

  /** What is remembered of the key whose entry is named `entryKey`. */
  key(entryKey: string): KeyRecord | undefined {
    return this.#keys.get(entryKey);
  }

  /** The key's current version from its record, when known. */
  keyVersion(record: KeyRecord | undefined): number | undefined {
    return record !== undefined && this.#healthy && record.epoch === this.#epoch ? record.keyVersion : undefined;
  }

  /** A key version read by a command sent during `generation`, or announced. */
  learnKey(entryKey: string, version: number, generation: number): void {
    if (!this.#healthy || generation !== this.#generation) return;
    const record = this.#record(entryKey);
    if (record.epoch === this.#epoch && record.keyVersion >= version) return;
    record.keyVersion = version;
    record.epoch = this.#epoch;
  }

  /**
   * Stops vouching for a counter: an entry disagreed with it. Either the entry is a late write
   * (reading the counter again costs one command) or the counter expired in Redis and was made
   * again at 0, which only a fresh read learns — without this, two instances could keep replacing
   * each other's entries.
   */
  forgetCounter(name: string): void {
    if (name === this.#namespaceCounter) this.#namespace = undefined;
    else this.#counters.delete(name);
    this.#generation++;
  }

  /** Stops vouching for a key's version (see {@link ReadMemo.forgetCounter}). */
  forgetKey(record: KeyRecord): void {
    record.epoch = -1;
    this.#generation++;
  }

  /** Keeps the text read for a key and its decoded entry. */
  decoded(entryKey: string, raw: string, entry: Entry): void {
    if (raw.length > MAX_MEMO_CHARS) return;
    const record = this.#record(entryKey);
    record.raw = raw;
    record.entry = entry;
  }

  /** Forgets every decoded entry (the sealing keys changed). */
  forgetDecoded(): void {
    for (const record of this.#keys.values()) record.raw = record.entry = undefined;
  }

  #record(entryKey: string): KeyRecord {
    let record = this.#keys.get(entryKey);
    if (record === undefined) {
      if (this.#keys.size >= MAX_KEYS) this.#keys.clear();
      record = { keyVersion: 0, epoch: -1, raw: undefined, entry: undefined };
      this.#keys.set(entryKey, record);
    }
    return record;
  }
}
