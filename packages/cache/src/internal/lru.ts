import type { Entry } from './entry.js';

/** Why an entry left memory. */
export type EvictReason = 'capacity' | 'expired' | 'invalidated';

/**
 * The memory tier: a map plus a doubly linked recency list, bounded by entry count and by an
 * estimate of bytes. A hit is one map lookup and a few pointer writes.
 */
export class Lru {
  readonly #map = new Map<string, Entry>();
  readonly #tagIndex = new Map<string, Set<string>>();
  #head: Entry | undefined = undefined;
  #tail: Entry | undefined = undefined;
  #bytes = 0;
  readonly maxEntries: number;
  readonly maxBytes: number;
  readonly onEvict: (entry: Entry, reason: EvictReason) => void;

  constructor(maxEntries: number, maxBytes: number, onEvict: (entry: Entry, reason: EvictReason) => void) {
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
    this.onEvict = onEvict;
  }

  get size(): number {
    return this.#map.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Looks up an entry and marks it most recently used. */
  get(key: string): Entry | undefined {
    const e = this.#map.get(key);
    if (e !== undefined && e !== this.#head) {
      // Unlink, then push at the head.
      const { prev, next } = e;
      prev!.next = next;
      if (next === undefined) this.#tail = prev;
      else next.prev = prev;
      e.prev = undefined;
      e.next = this.#head;
      this.#head!.prev = e;
      this.#head = e;
    }
    return e;
  }

  /** Looks up an entry without touching recency. */
  peek(key: string): Entry | undefined {
    return this.#map.get(key);
  }

  /** Stores an entry (replacing any under its key); returns false when it can never fit. */
  set(e: Entry): boolean {
    const old = this.#map.get(e.key);
    if (old !== undefined) this.#unlink(old);
    if (e.bytes > this.maxBytes) return false;
    this.#map.set(e.key, e);
    e.prev = undefined;
    e.next = this.#head;
    if (this.#head !== undefined) this.#head.prev = e;
    this.#head = e;
    if (this.#tail === undefined) this.#tail = e;
    this.#bytes += e.bytes;
    for (const t of e.tags) {
      let keys = this.#tagIndex.get(t);
      if (keys === undefined) this.#tagIndex.set(t, (keys = new Set()));
      keys.add(e.key);
    }
    while (this.#map.size > this.maxEntries || this.#bytes > this.maxBytes) {
      const victim = this.#tail!;
      this.#unlink(victim);
      this.onEvict(victim, 'capacity');
    }
    return true;
  }

  /** Removes the entry under `key`, if it is `only` (when given). */
  delete(key: string, reason: EvictReason, only?: Entry): Entry | undefined {
    const e = this.#map.get(key);
    if (e === undefined || (only !== undefined && e !== only)) return undefined;
    this.#unlink(e);
    this.onEvict(e, reason);
    return e;
  }

  /** Keys currently tagged with `tag`. */
  keysWithTag(tag: string): string[] {
    const keys = this.#tagIndex.get(tag);
    return keys === undefined ? [] : [...keys];
  }

  /** Every key, most recent first. */
  *keys(): IterableIterator<string> {
    for (let e = this.#head; e !== undefined; e = e.next) yield e.key;
  }

  /** Drops everything. */
  clear(reason: EvictReason): void {
    for (let e = this.#head; e !== undefined; ) {
      const next = e.next;
      this.#unlink(e);
      this.onEvict(e, reason);
      e = next;
    }
  }

  #unlink(e: Entry): void {
    this.#map.delete(e.key);
    const { prev, next } = e;
    if (prev === undefined) this.#head = next;
    else prev.next = next;
    if (next === undefined) this.#tail = prev;
    else next.prev = prev;
    e.prev = e.next = undefined;
    this.#bytes -= e.bytes;
    for (const t of e.tags) {
      const keys = this.#tagIndex.get(t);
      if (keys !== undefined) {
        keys.delete(e.key);
        if (keys.size === 0) this.#tagIndex.delete(t);
      }
    }
  }
}
