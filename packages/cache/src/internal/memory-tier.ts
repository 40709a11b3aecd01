import { LRUCache } from 'lru-cache';
import type { EvictReason } from '../cache-events.js';
import type { Entry } from './entry.js';

/**
 * The memory tier (L1): an `lru-cache` bounded by an estimate of bytes, a bound on entries, and an
 * index of the keys under each tag. Entries leave through `onEvict` with the reason: `capacity`
 * for the LRU bounds, or the reason given to {@link MemoryTier.delete} and {@link MemoryTier.clear}.
 * An entry replaced by a newer one under its key leaves silently.
 */
export class MemoryTier {
  readonly #lru: LRUCache<string, Entry>;
  readonly #tagIndex = new Map<string, Set<string>>();
  readonly #maxEntries: number;
  readonly #onEvict: (entry: Entry, reason: EvictReason) => void;
  /** The reason of the removal under way: lru-cache calls every removal asked for a `delete`. */
  #reason: EvictReason = 'invalidated';

  constructor(maxEntries: number, maxBytes: number, onEvict: (entry: Entry, reason: EvictReason) => void) {
    this.#maxEntries = maxEntries;
    this.#onEvict = onEvict;
    // The entry bound is kept here (see set) rather than as lru-cache's `max`, which allocates
    // arrays of that length up front: a large `maxEntries` must cost nothing until it is used.
    this.#lru = new LRUCache<string, Entry>({
      maxSize: maxBytes,
      sizeCalculation: (e) => e.bytes,
      // After the removal, so that a listener of onEvict sees the tier without the entry.
      disposeAfter: (e, _key, why) => this.#removed(e, why),
    });
  }

  get size(): number {
    return this.#lru.size;
  }

  get bytes(): number {
    return this.#lru.calculatedSize;
  }

  /** Looks up an entry and marks it most recently used. */
  get(key: string): Entry | undefined {
    return this.#lru.get(key);
  }

  /** Looks up an entry without touching recency. */
  peek(key: string): Entry | undefined {
    return this.#lru.peek(key);
  }

  /** Stores an entry, replacing any under its key; one larger than `maxBytes` is not kept (and the old one is dropped). */
  set(e: Entry): void {
    this.#lru.set(e.key, e);
    if (this.#lru.peek(e.key) !== e) return;
    for (const t of e.tags) {
      let keys = this.#tagIndex.get(t);
      if (keys === undefined) this.#tagIndex.set(t, (keys = new Set()));
      keys.add(e.key);
    }
    while (this.#lru.size > this.#maxEntries) this.#lru.pop();
  }

  /** Removes the entry under `key`, if it is `only` (when given). */
  delete(key: string, reason: EvictReason, only?: Entry): void {
    const e = this.#lru.peek(key);
    if (e === undefined || (only !== undefined && e !== only)) return;
    this.#reason = reason;
    this.#lru.delete(key);
  }

  /** Keys currently tagged with `tag`. */
  keysWithTag(tag: string): string[] {
    const keys = this.#tagIndex.get(tag);
    return keys === undefined ? [] : [...keys];
  }

  /** Every key, most recent first. */
  keys(): IterableIterator<string> {
    return this.#lru.keys();
  }

  /** Drops everything, most recent first. */
  clear(reason: EvictReason): void {
    for (const key of Array.from(this.#lru.keys())) this.delete(key, reason);
  }

  #removed(e: Entry, why: LRUCache.DisposeReason): void {
    for (const t of e.tags) {
      const keys = this.#tagIndex.get(t);
      if (keys !== undefined) {
        keys.delete(e.key);
        if (keys.size === 0) this.#tagIndex.delete(t);
      }
    }
    if (why === 'set') return; // replaced under its key
    this.#onEvict(e, why === 'evict' ? 'capacity' : this.#reason);
  }
}
