import type { BulwarkError, Clock, Disposable } from '@bulwark/core';
import type { Secret } from '../secret.js';
import type { SecretProvider } from '../secret-provider.js';
import type { ManagerEvents } from './manager-events.js';
import type { ProviderFetch } from './provider-fetch.js';
import { nextVersions, type CachedSecret } from './version-labels.js';

/** The version a reader is given: the previous one while `refreshOnAuthFailure` prefers it, else the current. */
export function preferred(cached: CachedSecret): Secret<string> {
  return cached.preferPrevious && cached.previous !== undefined ? cached.previous : cached.current;
}

/** The outcome of one fetch: the secret as held now, and the error when the fetch failed but a last good value is kept. */
export interface Fetched {
  readonly cached: CachedSecret;
  readonly error: BulwarkError | undefined;
}

/** A fetch of one name under way; `hold()` when a caller starts waiting on it. */
interface Flight {
  readonly done: Promise<Fetched>;
  hold(): void;
}

/** How the cache is timed, in ms. */
export interface SecretCacheTiming {
  readonly ttlMs: number;
  readonly refreshAheadMs: number;
  readonly refreshRetryMs: number;
  readonly previousOverlapMs: number;
  readonly authRefreshCooldownMs: number;
}

/**
 * The secrets a manager holds: fetched once per name at a time (single-flight), kept for `ttlMs`,
 * refreshed in the background `refreshAheadMs` before that, refetched at once when a provider says
 * a secret changed. A failed fetch never empties the cache: the last good value stays in service,
 * and is asked for again after `refreshRetryMs`. After an auth failure, one fetch answers every
 * caller that failed with the same version within `authRefreshCooldownMs`.
 */
export class SecretCache {
  readonly #source: ProviderFetch;
  readonly #events: ManagerEvents;
  readonly #clock: Clock;
  readonly #timing: SecretCacheTiming;
  /** Who the manager's own work (rotations, background refreshes) is audited as. */
  readonly #who: string;
  readonly #held = new Map<string, CachedSecret>();
  readonly #flights = new Map<string, Flight>();
  readonly #authRefreshes = new Map<string, { version: string | undefined; at: number; done: Promise<Fetched> }>();
  readonly #subscriptions: Disposable[] = [];
  #closed = false;

  constructor(source: ProviderFetch, providers: readonly SecretProvider[], events: ManagerEvents, clock: Clock, timing: SecretCacheTiming, who: string) {
    this.#source = source;
    this.#events = events;
    this.#clock = clock;
    this.#timing = timing;
    this.#who = who;
    // A provider that knows a secret changed (a watched file) gets it refetched now, not at the TTL.
    for (const provider of providers) {
      const subscription = provider.onChange?.((event) => {
        const targets = event.secretName === undefined ? [...this.#held.keys()] : [event.secretName];
        for (const name of targets) {
          const cached = this.#held.get(name);
          if (cached === undefined) continue;
          cached.fetchedAt = -Infinity;
          cached.retryAt = -Infinity;
          this.#refetch(name);
        }
      });
      if (subscription !== undefined) this.#subscriptions.push(subscription);
    }
  }

  /** Whether `close()` was called: the manager and every view of it then refuse new calls. */
  get closed(): boolean {
    return this.#closed;
  }

  /** What is held of `name`, fresh or not. */
  peek(name: string): CachedSecret | undefined {
    return this.#held.get(name);
  }

  /**
   * One fetch per name at a time; a failure with a last good value resolves to that value plus the
   * error. The caller waits on it, so its timeout holds the process open until it settles.
   */
  fetch(name: string): Promise<Fetched> {
    const flight = this.#flights.get(name) ?? this.#start(name, true);
    flight.hold();
    return flight.done;
  }

  /** A refetch nobody waits on (yet): unlike `fetch`, it never keeps a finished process alive. */
  #refetch(name: string): void {
    if (!this.#flights.has(name)) this.#start(name, false);
  }

  #start(name: string, awaited: boolean): Flight {
    this.#events.fetches++;
    const fetching = this.#source.fetch(name, awaited);
    const done = (async (): Promise<Fetched> => {
      try {
        const found = await fetching.done;
        return { cached: this.#apply(name, found), error: undefined };
      } catch (error) {
        const old = this.#held.get(name);
        if (old === undefined) throw error;
        const failure = error as BulwarkError;
        old.failures++;
        old.retryAt = this.#clock.monotonic() + this.#timing.refreshRetryMs;
        this.#events.failedRefresh(name, failure, old.current.version, old.failures, this.#who);
        this.#schedule(name, old, this.#timing.refreshRetryMs);
        return { cached: old, error: failure };
      } finally {
        this.#flights.delete(name);
      }
    })();
    const flight = { done, hold: fetching.hold };
    this.#flights.set(name, flight);
    return flight;
  }

  /** The secret, fetched when not held or past its TTL; past the TTL, when the fetch fails, the last good value (audited as an expired use by `who`). */
  async fresh(name: string, who: string): Promise<CachedSecret> {
    const cached = this.#held.get(name);
    if (cached === undefined) return (await this.fetch(name)).cached;
    const now = this.#clock.monotonic();
    if (now - cached.fetchedAt < this.#timing.ttlMs) return cached;
    if (now >= cached.retryAt) {
      const result = await this.fetch(name);
      if (result.error === undefined) return result.cached;
    }
    this.#events.staleReads++;
    this.#events.audited('expired-use', name, preferred(cached).version, who);
    return cached;
  }

  /**
   * After an auth failure with `failedVersion`: the secret once the providers were asked again, by
   * this caller or, within the cooldown, by another that failed with the same version.
   */
  async afterAuthFailure(name: string, failedVersion: string | undefined): Promise<CachedSecret> {
    const last = this.#authRefreshes.get(name);
    const now = this.#clock.monotonic();
    if (last === undefined || last.version !== failedVersion || now - last.at >= this.#timing.authRefreshCooldownMs) {
      const done = this.fetch(name);
      this.#authRefreshes.set(name, { version: failedVersion, at: now, done });
      return (await done).cached;
    }
    // Someone already asked the providers about this failure: share their answer.
    return (await last.done).cached;
  }

  /** Whether the previous version's overlap after its rotation has ended (`previousOverlapMs`). */
  pastOverlap(cached: CachedSecret): boolean {
    return this.#clock.monotonic() > cached.previousUntil;
  }

  /** Stops background refreshes and change subscriptions. */
  close(): void {
    this.#closed = true;
    for (const subscription of this.#subscriptions.splice(0)) subscription.dispose();
    for (const cached of this.#held.values()) {
      cached.timer?.clear();
      cached.timer = undefined;
    }
  }

  #apply(name: string, found: Parameters<typeof nextVersions>[1]): CachedSecret {
    const old = this.#held.get(name);
    const { cached, changed } = nextVersions(name, found, old, this.#clock.monotonic(), this.#timing.previousOverlapMs);
    old?.timer?.clear();
    this.#held.set(name, cached);
    if (this.#timing.refreshAheadMs > 0) this.#schedule(name, cached, this.#timing.ttlMs - this.#timing.refreshAheadMs);
    if (changed) this.#events.rotatedTo(name, cached.current.version!, old!.current.version, this.#who);
    return cached;
  }

  #schedule(name: string, cached: CachedSecret, delayMs: number): void {
    cached.timer?.clear();
    cached.timer = undefined;
    if (this.#closed || !Number.isFinite(delayMs)) return;
    cached.timer = this.#clock.setTimeout(
      () => {
        cached.timer = undefined;
        if (this.#held.get(name) === cached) this.#refetch(name);
      },
      delayMs,
      { unref: true },
    );
  }
}
