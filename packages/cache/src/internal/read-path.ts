import type { Clock } from '@bulwark/core';
import type { GetOrSetOptions } from '../cache-options.js';
import { Entry } from './entry.js';
import { COUNTER_MIN_TTL_MS } from './invalidation-channel.js';
import type { InvalidationLog } from './invalidation-log.js';
import { LoaderCall } from './loader-call.js';
import type { MemoryTier } from './memory-tier.js';
import type { RecomputeLease } from './recompute-lease.js';
import type { L2Read, RedisTier } from './redis-tier.js';
import type { Reporter } from './reporter.js';
import { deserialize, serialize } from './serialize.js';
import { Flights, type Flight } from './single-flight.js';
import { NO_TAGS, windowsOf, type Windows } from './windows.js';

/** A loader as the read path calls it: a `CacheLoader`, or a policy's function (the call is an execute context too). */
export type Loader = (context: LoaderCall) => unknown;

/** A load whose versions were read longer ago than this is not written to Redis: its counters may have expired and started over. */
const MAX_LOAD_AGE_MS = COUNTER_MIN_TTL_MS / 2;

/** How a cache is tuned: its default windows, jitter and early refresh. */
export interface ReadTuning {
  readonly defaults: Windows;
  readonly jitter: number;
  readonly beta: number;
  readonly random: () => number;
}

/**
 * The read path: memory first (fresh, or stale within its windows), then Redis, then the loader —
 * once per key in this process (single-flight) and, with Redis, once across instances (the
 * recompute lease) — with stale-while-revalidate, stale-if-error and probabilistic early refresh.
 * What it loads or is given is made into an entry and stored in memory and Redis, unless an
 * invalidation seen meanwhile outranks it. Arguments are checked by the caller.
 */
export class ReadPath {
  readonly #memory: MemoryTier | undefined;
  readonly #tier: RedisTier | undefined;
  readonly #lease: RecomputeLease | undefined;
  readonly #log: InvalidationLog;
  readonly #report: Reporter;
  readonly #clock: Clock;
  readonly #tuning: ReadTuning;
  readonly #flights = new Flights();

  constructor(
    memory: MemoryTier | undefined,
    tier: RedisTier | undefined,
    lease: RecomputeLease | undefined,
    log: InvalidationLog,
    report: Reporter,
    clock: Clock,
    tuning: ReadTuning,
  ) {
    this.#memory = memory;
    this.#tier = tier;
    this.#lease = lease;
    this.#log = log;
    this.#report = report;
    this.#clock = clock;
    this.#tuning = tuning;
  }

  getOrSet(key: string, loader: Loader, options: GetOrSetOptions<any> | undefined): Promise<unknown> {
    const l1 = this.#memory;
    if (l1 !== undefined) {
      const e = l1.get(key);
      if (e !== undefined) {
        const now = this.#clock.now();
        if (now < e.freshUntil) {
          this.#report.hitIn('l1', key);
          if (this.#tuning.beta > 0 && e.loadMs > 0) this.#maybeRefreshEarly(e, now, loader, options);
          return (e.promise ??= Promise.resolve(e.value));
        }
        return wait(this.#getOrLoad(key, loader, options, e, now), options);
      }
    }
    return wait(this.#getOrLoad(key, loader, options, undefined, this.#clock.now()), options);
  }

  get(key: string): Promise<unknown> {
    const e = this.#memory?.get(key);
    if (e !== undefined && this.#clock.now() < e.freshUntil) {
      this.#report.hitIn('l1', key);
      return (e.promise ??= Promise.resolve(e.value));
    }
    if (this.#tier === undefined) {
      this.#report.missed(key);
      return Promise.resolve(undefined);
    }
    return this.#getFromL2(key);
  }

  async #getFromL2(key: string): Promise<unknown> {
    const startEpoch = this.#log.epoch;
    const read = await this.#tier!.read(key, NO_TAGS);
    const e = read?.entry;
    if (e !== undefined && this.#clock.now() < e.freshUntil) {
      this.#l2Hit(e, startEpoch);
      return e.value;
    }
    this.#report.missed(key);
    return undefined;
  }

  /** What memory holds for `key`, fresh or within a stale window, without touching Redis or recency. */
  peek(key: string): unknown {
    const e = this.#memory?.peek(key);
    return e !== undefined && this.#clock.now() < e.retainUntil ? e.value : undefined;
  }

  /** Stores `value` in every tier; rejects with `UnserializableValueError` on a value that is not JSON data. */
  set(key: string, value: unknown, options: GetOrSetOptions<any> | undefined): Promise<void> {
    const w = windowsOf(this.#tuning.defaults, options);
    let entry: Entry;
    try {
      entry = this.#makeEntry(key, value, { ...w, isNegative: () => false }, 0, undefined);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#setEntry(entry, w);
  }

  async #setEntry(entry: Entry, w: Windows): Promise<void> {
    const startEpoch = this.#log.epoch;
    const tier = this.#tier;
    if (tier !== undefined) {
      const versions = await tier.versions(entry.key, w.tags);
      if (versions !== undefined) {
        entry.keyVersion = versions.keyVersion;
        entry.nsVersion = versions.nsVersion;
        entry.tagVersions = versions.tagVersions;
        if (!this.#log.invalidatedSince(startEpoch, entry)) await tier.write(entry);
      }
    }
    this.#store(entry, startEpoch);
  }

  #getOrLoad(key: string, loader: Loader, options: GetOrSetOptions<any> | undefined, e: Entry | undefined, now: number): Promise<unknown> {
    if (options?.signal?.aborted === true) return Promise.reject(options.signal.reason);
    if (e !== undefined && now >= e.retainUntil) {
      this.#memory!.delete(key, 'expired', e);
      e = undefined;
    }
    if (e !== undefined && now < e.staleUntil) {
      this.#report.servedStale(key, 'revalidating', now - e.freshUntil);
      this.#refreshInBackground(key, loader, options, 'stale');
      return (e.promise ??= Promise.resolve(e.value));
    }
    const flight = this.#flights.get(key);
    if (flight !== undefined) {
      flight.hold();
      return flight.promise;
    }
    return this.#startFlight(key, loader, options, e, false).promise;
  }

  #maybeRefreshEarly(e: Entry, now: number, loader: Loader, options: GetOrSetOptions<any> | undefined): void {
    // XFetch: refresh when now - loadMs * beta * ln(rand) passes the expiry. -ln(rand) rarely
    // exceeds 20, so entries far from expiry skip the logarithm.
    const gap = e.freshUntil - now;
    const scale = e.loadMs * this.#tuning.beta;
    if (gap > scale * 20) return;
    if (-Math.log(1 - this.#tuning.random()) * scale >= gap) this.#refreshInBackground(e.key, loader, options, 'early');
  }

  #refreshInBackground(key: string, loader: Loader, options: GetOrSetOptions<any> | undefined, reason: 'stale' | 'early'): void {
    if (this.#flights.has(key)) return;
    this.#report.refreshing(key, reason);
    const flight = this.#startFlight(key, loader, options, this.#memory?.peek(key), true);
    // Failures were reported through onLoaderError; the stale value keeps being served.
    flight.promise.catch(() => {});
  }

  #startFlight(key: string, loader: Loader, options: GetOrSetOptions<any> | undefined, stale: Entry | undefined, background: boolean): Flight {
    const w = windowsOf(this.#tuning.defaults, options);
    return this.#flights.start(key, this.#log.epoch, background, (flight) => this.#fly(flight, loader, w, stale));
  }

  async #fly(flight: Flight, loader: Loader, w: Windows, stale: Entry | undefined): Promise<unknown> {
    const key = flight.key;
    try {
      let read: L2Read | undefined;
      const tier = this.#tier;
      if (tier !== undefined) {
        read = await tier.read(key, w.tags);
        const found = read?.entry;
        if (found !== undefined) {
          const now = this.#clock.now();
          if (now < found.freshUntil) {
            this.#l2Hit(found, flight.startEpoch);
            return found.value;
          }
          if (stale === undefined || found.freshUntil > stale.freshUntil) stale = found;
          if (!flight.background && now < found.staleUntil) {
            // Stale in Redis but within its revalidate window: answer now, refresh behind it (the
            // flight stays in the map until then, so later callers get the same stale answer).
            this.#store(found, flight.startEpoch);
            this.#report.servedStale(key, 'revalidating', now - found.freshUntil);
            this.#report.refreshing(key, 'stale');
            flight.answered = true;
            this.#leaseAndLoad(flight, loader, w, stale, read)
              .catch(() => {}) // reported through onLoaderError
              .finally(() => this.#flights.land(flight));
            return found.value;
          }
        }
      }
      return await this.#leaseAndLoad(flight, loader, w, stale, read);
    } finally {
      if (!flight.answered) this.#flights.land(flight);
    }
  }

  /** After a read found nothing fresh: takes the lease (or waits for its holder's result), then loads. */
  async #leaseAndLoad(flight: Flight, loader: Loader, w: Windows, stale: Entry | undefined, read: L2Read | undefined): Promise<unknown> {
    const key = flight.key;
    const lease = this.#lease;
    let token: string | undefined;
    if (read !== undefined && lease !== undefined) {
      const tier = this.#tier!;
      // Only one instance recomputes: the others wait (bounded) for its result in Redis.
      token = await lease.acquire(key);
      if (token === undefined) {
        const waitUntil = this.#clock.monotonic() + lease.waitMs;
        while (token === undefined && this.#clock.monotonic() < waitUntil) {
          await lease.pause();
          const again = await tier.read(key, w.tags);
          if (again === undefined) break;
          read = again;
          const e = again.entry;
          if (e !== undefined && this.#clock.now() < e.freshUntil) {
            this.#l2Hit(e, flight.startEpoch);
            return e.value;
          }
          token = await lease.acquire(key);
        }
      }
      if (token !== undefined && token !== '') {
        // The previous holder may have written its result and let go between our read and our
        // lease: look once more before loading again.
        const check = await tier.read(key, w.tags);
        const e = check?.entry;
        if (e !== undefined && this.#clock.now() < e.freshUntil) {
          void lease.release(key, token);
          this.#l2Hit(e, flight.startEpoch);
          return e.value;
        }
        if (check !== undefined) read = check;
      }
    }
    if (!flight.answered && !flight.background) this.#report.missed(key);
    try {
      return await this.#load(flight, loader, w, stale, read);
    } finally {
      if (token !== undefined) void lease!.release(key, token);
    }
  }

  async #load(flight: Flight, loader: Loader, w: Windows, stale: Entry | undefined, read: L2Read | undefined): Promise<unknown> {
    const key = flight.key;
    this.#report.loads++;
    const started = this.#clock.monotonic();
    let value: unknown;
    // Abandoned after `loaderTimeoutMs`, as a failure of the loader: stale-if-error applies, and the
    // flight lands so that the next caller starts a fresh load.
    const call = (flight.call = new LoaderCall(key, this.#clock, flight.held && !flight.answered));
    try {
      value = await call.within(loader(call), w.loaderTimeoutMs);
    } catch (error) {
      const now = this.#clock.now();
      const servedStale = stale !== undefined && now < stale.errorUntil;
      this.#report.loaderFailed(key, error, servedStale);
      if (!servedStale) throw error;
      if (!flight.answered) this.#report.servedStale(key, 'loader-error', now - stale.freshUntil);
      return stale.value;
    }
    const loadMs = this.#clock.monotonic() - started;
    const entry = this.#makeEntry(key, value, w, loadMs, read);
    this.#store(entry, flight.startEpoch);
    // Versions were read just before the load started: a load that ran for half a counter's
    // lifetime may have outlived them, so its result is not written.
    if (read !== undefined && !this.#log.invalidatedSince(flight.startEpoch, entry) && this.#clock.monotonic() - started < MAX_LOAD_AGE_MS) {
      await this.#tier!.write(entry);
    }
    return entry.value;
  }

  #makeEntry(key: string, value: unknown, w: Windows, loadMs: number, read: L2Read | undefined): Entry {
    const json = serialize(key, value);
    const negative = w.isNegative(value) === true;
    const base = negative ? w.negativeTtlMs : w.ttlMs;
    const { jitter, random } = this.#tuning;
    const ttl = jitter > 0 ? base * (1 - jitter * random()) : base;
    const now = this.#clock.now();
    const freshUntil = now + ttl;
    return new Entry(
      key,
      deserialize(json),
      json,
      freshUntil,
      freshUntil + w.swrMs,
      freshUntil + w.sieMs,
      loadMs,
      negative,
      w.tags,
      read?.keyVersion ?? 0,
      read?.nsVersion ?? 0,
      read?.tagVersions ?? w.tags.map(() => 0),
    );
  }

  /** Puts an entry in memory unless an invalidation it predates has been seen. */
  #store(e: Entry, startEpoch: number): void {
    if (this.#memory === undefined || this.#log.invalidatedSince(startEpoch, e)) return;
    this.#memory.set(e);
  }

  #l2Hit(e: Entry, startEpoch: number): void {
    this.#report.hitIn('l2', e.key);
    this.#store(e, startEpoch);
  }
}

/** The caller's view of a shared load: it may stop waiting on its own signal. */
function wait(pending: Promise<unknown>, options: GetOrSetOptions<any> | undefined): Promise<unknown> {
  const signal = options?.signal;
  if (signal === undefined) return pending;
  if (signal.aborted) {
    pending.catch(() => {}); // its outcome is for the other callers; this one has left
    return Promise.reject(signal.reason);
  }
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    pending.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
