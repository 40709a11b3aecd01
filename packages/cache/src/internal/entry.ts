/** One cached answer, as kept in memory; times are wall-clock ms from the cache's clock. */
export class Entry {
  key: string;
  value: unknown;
  /** The JSON text of `value` (undefined for an `undefined` value), for L2 writes and sizing. */
  json: string | undefined;
  /** Fresh until this time. */
  freshUntil: number;
  /** Served stale while revalidating until this time. */
  staleUntil: number;
  /** Served stale when the loader fails until this time. */
  errorUntil: number;
  /** How long the loader took, for probabilistic early refresh. */
  loadMs: number;
  negative: boolean;
  tags: readonly string[];
  /** Versions this value was computed under: its key's, the namespace's, and each tag's. */
  keyVersion: number;
  nsVersion: number;
  tagVersions: readonly number[];
  bytes: number;
  /** A settled promise of `value`, made once, so that hits allocate nothing. */
  promise: Promise<unknown> | undefined = undefined;

  constructor(
    key: string,
    value: unknown,
    json: string | undefined,
    freshUntil: number,
    staleUntil: number,
    errorUntil: number,
    loadMs: number,
    negative: boolean,
    tags: readonly string[],
    keyVersion: number,
    nsVersion: number,
    tagVersions: readonly number[],
  ) {
    this.key = key;
    this.value = value;
    this.json = json;
    this.freshUntil = freshUntil;
    this.staleUntil = staleUntil;
    this.errorUntil = errorUntil;
    this.loadMs = loadMs;
    this.negative = negative;
    this.tags = tags;
    this.keyVersion = keyVersion;
    this.nsVersion = nsVersion;
    this.tagVersions = tagVersions;
    let bytes = 96 + key.length * 2 + (json === undefined ? 0 : json.length * 2);
    for (const t of tags) bytes += 16 + t.length * 2;
    this.bytes = bytes;
  }

  /** The last moment the entry is worth keeping. */
  get retainUntil(): number {
    return Math.max(this.freshUntil, this.staleUntil, this.errorUntil);
  }
}
