import type { Entry } from './entry.js';
import type { MemoryTier } from './memory-tier.js';

/** What an invalidation drops: one key, every entry with a tag, or every entry (the namespace). */
export type Scope = 'key' | 'tag' | 'namespace';

interface Invalidation {
  epoch: number;
  scope: Scope;
  target: string;
  /** The announced version; Infinity for one made here (it outranks whatever we computed before). */
  version: number;
}

const LOG_LIMIT = 1024;

/**
 * The invalidations this process has seen, made here or announced by others, so that a load that
 * began before one never stores a result it outranks. Each moves the epoch on; a load remembers the
 * epoch it started in. The log keeps the last 1,024: a load older than them is taken as invalidated.
 */
export class InvalidationLog {
  readonly #memory: MemoryTier | undefined;
  #epoch = 0;
  #log: Invalidation[] = [];
  #floor = 0;

  constructor(memory: MemoryTier | undefined) {
    this.#memory = memory;
  }

  /** Capture when a load or write starts; pass to {@link InvalidationLog.invalidatedSince} when it ends. */
  get epoch(): number {
    return this.#epoch;
  }

  /**
   * Records an invalidation and drops what memory holds under it. `version` is the announced
   * version: an entry already computed under that version or a later one is kept, so a late
   * announcement never drops (or lets back) anything newer than itself.
   */
  record(scope: Scope, target: string, version: number): void {
    this.#epoch++;
    this.#log.push({ epoch: this.#epoch, scope, target, version });
    if (this.#log.length > LOG_LIMIT) this.#floor = this.#log.shift()!.epoch;
    const l1 = this.#memory;
    if (l1 === undefined) return;
    if (scope === 'key') {
      const e = l1.peek(target);
      if (e !== undefined && e.keyVersion < version) l1.delete(target, 'invalidated', e);
    } else if (scope === 'tag') {
      for (const key of l1.keysWithTag(target)) {
        const e = l1.peek(key)!;
        const i = e.tags.indexOf(target);
        if (i !== -1 && e.tagVersions[i]! < version) l1.delete(key, 'invalidated', e);
      }
    } else if (version === Infinity) {
      l1.clear('invalidated');
    } else {
      // Copied first: deleting while walking the recency list would cut the walk short.
      for (const key of Array.from(l1.keys())) {
        const e = l1.peek(key)!;
        if (e.nsVersion < version) l1.delete(key, 'invalidated', e);
      }
    }
  }

  /** Whether an invalidation seen after `startEpoch` outranks the versions `e` was computed under. */
  invalidatedSince(startEpoch: number, e: Entry): boolean {
    if (this.#epoch === startEpoch) return false;
    if (startEpoch < this.#floor) return true;
    const log = this.#log;
    for (let i = log.length - 1; i >= 0; i--) {
      const r = log[i]!;
      if (r.epoch <= startEpoch) break;
      if (r.scope === 'namespace') {
        if (e.nsVersion < r.version) return true;
      } else if (r.scope === 'key') {
        if (r.target === e.key && e.keyVersion < r.version) return true;
      } else {
        const j = e.tags.indexOf(r.target);
        if (j !== -1 && e.tagVersions[j]! < r.version) return true;
      }
    }
    return false;
  }
}
