/** Where one key stands in its window after a request (or a look). */
export interface WindowState {
  /** Whether the request that took from the window was let through. */
  readonly allowed: boolean;
  /** Requests left in this window. */
  readonly remaining: number;
  /** Milliseconds until the window ends. */
  readonly resetMs: number;
}

/**
 * A fixed-window limit per key: `quota` requests in each window of `windowMs`, the windows laid end to
 * end from the start of the run. A refused request does not count.
 */
export class FixedWindow {
  readonly #used = new Map<string, { window: number; used: number }>();

  constructor(
    readonly quota: number,
    readonly windowMs: number,
  ) {}

  /** Counts one request for `key` at `atMs` (from the start of the run), if the window has room. */
  take(key: string, atMs: number): WindowState {
    return this.#state(key, atMs, true);
  }

  /** Where `key` stands at `atMs`, without counting a request. */
  peek(key: string, atMs: number): WindowState {
    return this.#state(key, atMs, false);
  }

  clear(): void {
    this.#used.clear();
  }

  #state(key: string, atMs: number, take: boolean): WindowState {
    const window = Math.floor(atMs / this.windowMs);
    let entry = this.#used.get(key);
    if (entry === undefined || entry.window !== window) {
      entry = { window, used: 0 };
      this.#used.set(key, entry);
    }
    const allowed = entry.used < this.quota;
    if (take && allowed) entry.used++;
    return { allowed, remaining: this.quota - entry.used, resetMs: (window + 1) * this.windowMs - atMs };
  }
}
