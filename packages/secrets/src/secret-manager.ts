import {
  expectClock,
  expectName,
  expectNumber,
  expectOptions,
  invalidOption,
  knownOptions,
  systemClock,
  type Clock,
  type Event,
} from '@bulwark/core';
import { ManagerEvents } from './internal/manager-events.js';
import { ProviderFetch } from './internal/provider-fetch.js';
import { Reader } from './internal/reader.js';
import { SecretCache, type SecretCacheTiming } from './internal/secret-cache.js';
import { SecretManagerClosedError } from './secret-manager-closed-error.js';
import type { SecretAuditEvent, SecretManagerStats, SecretRefreshFailedEvent, SecretRotatedEvent } from './secret-manager-events.js';
import type { SecretProvider } from './secret-provider.js';
import type { SecretReader } from './secret-reader.js';

/** Options of {@link secretManager}. */
export interface SecretManagerOptions {
  /** Where secrets come from, highest precedence first (see {@link chainProviders}). */
  readonly providers: SecretProvider | readonly SecretProvider[];
  /**
   * How long a fetched secret is served from the cache before it is fetched again, in ms; at least 1.
   * `Infinity`: fetched once, then only on `refresh()`, an auth failure or a provider's `onChange`.
   * @default 300_000
   */
  readonly ttlMs?: number;
  /**
   * Refresh in the background this long before the TTL ends, in ms, so that readers never wait
   * for a provider. `0` turns background refresh off (reads after the TTL fetch, once); it must be
   * `0` when `ttlMs` is `Infinity`. Background refreshes of a secret come `ttlMs - refreshAheadMs`
   * apart, for as long as the manager runs, whether or not the secret is read again: that must be
   * at least 1_000 ms.
   * @default ttlMs / 5; 0 (off) when ttlMs is Infinity or under 1_250 (refreshes would come less than 1 s apart)
   */
  readonly refreshAheadMs?: number;
  /**
   * After a failed refresh, wait this long before asking the provider again, in ms; the last good
   * value is served meanwhile. At least 1: timers do not run sooner, and 0 would ask a failing
   * provider again on every turn of the event loop. @default 5_000
   */
  readonly refreshRetryMs?: number;
  /**
   * A provider that has not answered after this long counts as failed, in ms. While a caller awaits
   * the fetch, this timeout keeps the process alive, so the await always settles; a background
   * refresh nobody awaits never keeps a process open.
   * @default 10_000
   */
  readonly fetchTimeoutMs?: number;
  /**
   * How long after a rotation the previous version is still offered by `refreshOnAuthFailure`
   * without being reported as an expired use, in ms. @default Infinity (until the next rotation)
   */
  readonly previousOverlapMs?: number;
  /**
   * After an auth failure triggered a fetch, further auth failures with the same version within
   * this window reuse its result instead of fetching again, in ms. `0`: every auth failure asks the
   * providers (failures while a fetch is under way still share it). @default 1_000
   */
  readonly authRefreshCooldownMs?: number;
  /** Who reads through the manager itself (not a scoped view), in audit events. @default 'default' */
  readonly who?: string;
  /** Time source for TTLs and timers. @default systemClock */
  readonly clock?: Clock;
  /** Names this manager in events (as `name`; the secret is `secretName`). @default 'secretManager' */
  readonly name?: string;
}

/** What {@link secretManager} returns. */
export interface SecretManager extends SecretReader {
  /** The manager's name, in events. */
  readonly name: string;
  /** A new current version of a secret was seen. */
  readonly onRotated: Event<SecretRotatedEvent>;
  /** Every read, denial, rotation, failed refresh and expired use. Values never appear. */
  readonly onAudit: Event<SecretAuditEvent>;
  /** A fetch failed while a last good value existed; that value is still served. */
  readonly onRefreshFailed: Event<SecretRefreshFailedEvent>;
  /** Counters: fetches, refresh failures, stale reads. */
  readonly stats: SecretManagerStats;
  /** Fetches `name` now, bypassing the TTL. Rejects when it fails (the cache keeps its last good value). */
  refresh(name: string): Promise<void>;
  /**
   * Stops background refreshes and change subscriptions. Providers are closed by their owner. Idempotent.
   * Afterwards every method of the manager and of every view `scope()` made of it refuses with
   * {@link SecretManagerClosedError}; `name`, `who`, `stats` and the events stay (no event fires for
   * a new call). A call already running is not interrupted: it settles as it would have (a provider
   * that never answers fails it after `fetchTimeoutMs`).
   */
  close(): Promise<void>;
  /** `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * The manager: the reader of every secret (as its own `who`) over the cache of secrets, with the
 * events, counters and lifecycle of the whole.
 */
class Manager extends Reader implements SecretManager {
  readonly name: string;
  readonly onRotated: Event<SecretRotatedEvent>;
  readonly onAudit: Event<SecretAuditEvent>;
  readonly onRefreshFailed: Event<SecretRefreshFailedEvent>;
  readonly #events: ManagerEvents;
  readonly #cache: SecretCache;

  constructor(who: string, cache: SecretCache, events: ManagerEvents) {
    super(who, () => true, cache, events);
    this.name = events.name;
    this.#events = events;
    this.#cache = cache;
    this.onRotated = events.rotated.event;
    this.onAudit = events.audit.event;
    this.onRefreshFailed = events.refreshFailed.event;
  }

  get stats(): SecretManagerStats {
    const { fetches, refreshFailures, staleReads } = this.#events;
    return { fetches, refreshFailures, staleReads };
  }

  async refresh(name: string): Promise<void> {
    if (this.#cache.closed) throw new SecretManagerClosedError(this.name, 'refresh');
    if (typeof name !== 'string' || name === '') throw invalidOption('name', name, 'a non-empty string');
    const result = await this.#cache.fetch(name);
    if (result.error !== undefined) throw result.error;
  }

  async close(): Promise<void> {
    this.#cache.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

const DEFAULT_TTL_MS = 300_000;
/**
 * The shortest time between two background refreshes of one secret (`ttlMs - refreshAheadMs`). They
 * go on for every secret read once, whether or not it is read again: closer together they would
 * keep a provider busy (and the event loop) for nothing.
 */
const MIN_REFRESH_INTERVAL_MS = 1_000;

const SECRET_MANAGER_OPTIONS = knownOptions<SecretManagerOptions>('secretManager()', {
  providers: ['provider', 'sources'],
  ttlMs: ['ttl', 'cacheTtl', 'cacheTtlMs'],
  refreshAheadMs: [],
  refreshRetryMs: [],
  fetchTimeoutMs: [],
  previousOverlapMs: [],
  authRefreshCooldownMs: [],
  who: [],
  clock: [],
  name: [],
});

/**
 * A cache of secrets over one or more providers, with TTLs, background refresh, versions for
 * rotation, single-flight refresh on auth failures, scoped views and audit events.
 *
 * A failed refresh never empties the cache: the last good value keeps being served, counted in
 * `stats.refreshFailures` and reported by `onRefreshFailed`.
 *
 * @example
 * ```ts
 * declare function stripeCall(init: { headers: Record<string, string> }): Promise<{ id: string }>;
 * const vault = secretManager({ providers: [envProvider(), directoryProvider({ path: '/run/secrets' })] });
 * const billing = vault.scope({ who: 'billing', names: ['STRIPE_KEY'] });
 * const charge = await billing.withSecret('STRIPE_KEY', (key) =>
 *   stripeCall({ headers: { authorization: `Bearer ${key.reveal()}` } }));
 * ```
 */
export function secretManager(options: SecretManagerOptions): SecretManager {
  expectOptions('options', options, SECRET_MANAGER_OPTIONS);
  const providerList: readonly SecretProvider[] = Array.isArray(options?.providers)
    ? (options.providers as readonly SecretProvider[])
    : options?.providers === undefined
      ? []
      : [options.providers as SecretProvider];
  if (providerList.length === 0) throw invalidOption('providers', options?.providers, 'a SecretProvider or a non-empty array of them');
  providerList.forEach((p, i) => {
    if (typeof p?.fetch !== 'function' || typeof p.name !== 'string') {
      throw invalidOption(`providers[${i}]`, p, 'a SecretProvider (name and fetch)');
    }
  });
  const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
  expectNumber('ttlMs', ttlMs, { min: 1, allowInfinity: true });
  // By default a TTL too short for background refreshes MIN_REFRESH_INTERVAL_MS apart has none.
  const refreshAheadMs = options.refreshAheadMs ?? (Number.isFinite(ttlMs) && ttlMs * 0.8 >= MIN_REFRESH_INTERVAL_MS ? ttlMs / 5 : 0);
  expectNumber('refreshAheadMs', refreshAheadMs, { min: 0, below: ttlMs, reason: 'ttlMs' });
  if (ttlMs === Infinity && refreshAheadMs !== 0) {
    throw invalidOption('refreshAheadMs', refreshAheadMs, '0 when `ttlMs` is Infinity (a secret that never expires has nothing to refresh ahead of)');
  }
  if (refreshAheadMs > 0 && ttlMs - refreshAheadMs < MIN_REFRESH_INTERVAL_MS) {
    throw invalidOption(
      'refreshAheadMs',
      refreshAheadMs,
      `0 or at most ttlMs - ${MIN_REFRESH_INTERVAL_MS} (${Math.max(0, ttlMs - MIN_REFRESH_INTERVAL_MS)}): background refreshes come ttlMs - refreshAheadMs apart, for every secret read once, read again or not, and must be at least ${MIN_REFRESH_INTERVAL_MS} ms apart`,
    );
  }
  const refreshRetryMs = options.refreshRetryMs ?? 5_000;
  // 0 would retry a failing provider on every turn of the event loop, and a timer of less than 1 ms waits 1 ms anyway.
  expectNumber('refreshRetryMs', refreshRetryMs, { min: 1 });
  const fetchTimeoutMs = options.fetchTimeoutMs ?? 10_000;
  expectNumber('fetchTimeoutMs', fetchTimeoutMs, { min: 1 });
  const previousOverlapMs = options.previousOverlapMs ?? Infinity;
  expectNumber('previousOverlapMs', previousOverlapMs, { min: 0, allowInfinity: true });
  const authRefreshCooldownMs = options.authRefreshCooldownMs ?? 1_000;
  expectNumber('authRefreshCooldownMs', authRefreshCooldownMs, { min: 0 });
  const rootWho = options.who ?? 'default';
  if (typeof rootWho !== 'string' || rootWho === '') throw invalidOption('who', rootWho, 'a non-empty string');
  expectClock('clock', options.clock);
  const clock = options.clock ?? systemClock;
  const managerName = options.name ?? 'secretManager';
  expectName(managerName);

  const events = new ManagerEvents(managerName, clock);
  const timing: SecretCacheTiming = { ttlMs, refreshAheadMs, refreshRetryMs, previousOverlapMs, authRefreshCooldownMs };
  const secrets = new SecretCache(new ProviderFetch(providerList, clock, fetchTimeoutMs), providerList, events, clock, timing, rootWho);
  return new Manager(rootWho, secrets, events);
}
