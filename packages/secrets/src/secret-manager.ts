import {
  EventEmitter,
  expectClock,
  expectFunction,
  expectName,
  expectNumber,
  expectOptions,
  invalidOption,
  isBulwarkError,
  knownOptions,
  quote,
  systemClock,
  toResult,
  type AbortSource,
  type BulwarkError,
  type Clock,
  type ExecuteContext,
  type Policy,
  type Disposable,
  type Event,
  type EventPayload,
  type Timer,
} from '@bulwark/core';
import type { ResultAsync } from 'neverthrow';
import { compileGrants } from './internal/grants.js';
import { SecretCallContext } from './internal/secret-call-context.js';
import { Secret } from './secret.js';
import { SecretAccessDeniedError } from './secret-access-denied-error.js';
import { SecretNotFoundError } from './secret-not-found-error.js';
import { SecretProviderError, isSecretProviderError } from './secret-provider-error.js';
import type { SecretProvider, SecretVersions } from './secret-provider.js';
import { checkSecretField, type LoadedSecrets, type SecretSchema } from './secret-schema.js';
import { SecretSchemaError, type SecretSchemaProblem } from './secret-schema-error.js';
import { isAuthFailure } from './is-auth-failure.js';

/** Options of {@link secretManager}. */
export interface SecretManagerOptions {
  /** Where secrets come from, highest precedence first (see {@link chainProviders}). */
  readonly providers: SecretProvider | readonly SecretProvider[];
  /** How long a fetched secret is served from the cache before it is fetched again, in ms. @default 300_000 */
  readonly ttlMs?: number;
  /**
   * Refresh in the background this long before the TTL ends, in ms, so that readers never wait
   * for a provider. `0` turns background refresh off (reads after the TTL fetch, once).
   * @default ttlMs / 5
   */
  readonly refreshAheadMs?: number;
  /** After a failed refresh, wait this long before asking the provider again, in ms; the last good value is served meanwhile. @default 5_000 */
  readonly refreshRetryMs?: number;
  /** A provider that has not answered after this long counts as failed, in ms. @default 10_000 */
  readonly fetchTimeoutMs?: number;
  /**
   * How long after a rotation the previous version is still offered by `refreshOnAuthFailure`
   * without being reported as an expired use, in ms. @default Infinity (until the next rotation)
   */
  readonly previousOverlapMs?: number;
  /**
   * After an auth failure triggered a fetch, further auth failures with the same version within
   * this window reuse its result instead of fetching again, in ms. @default 1_000
   */
  readonly authRefreshCooldownMs?: number;
  /** Who reads through the manager itself (not a scoped view), in audit events. @default 'default' */
  readonly who?: string;
  /** Time source for TTLs and timers. @default systemClock */
  readonly clock?: Clock;
  /** Names this manager in events (as `name`; the secret is `secret`). @default 'secretManager' */
  readonly name?: string;
}

/** Payload of `onRotated`: a new current version was seen. `name` is the manager's. */
export interface SecretRotatedEvent extends EventPayload {
  /** The secret's name. */
  readonly secret: string;
  /** The new current version. */
  readonly version: string;
  /** The version it replaced, now the previous one. */
  readonly previousVersion: string | undefined;
}

/** Payload of `onRefreshFailed`: fetching a secret failed; the last good value is still served. `name` is the manager's. */
export interface SecretRefreshFailedEvent extends EventPayload {
  /** The secret's name. */
  readonly secret: string;
  /** Why (never containing the value). */
  readonly error: BulwarkError;
  /** The version still being served. */
  readonly version: string | undefined;
  /** Failures in a row for this secret, from 1. */
  readonly failures: number;
}

/** What an audit event records. */
export type SecretAuditAction = 'read' | 'denied' | 'rotated' | 'refresh-failed' | 'expired-use';

/** Payload of `onAudit`: who did what to which secret and version, when. Never the value. `name` is the manager's. */
export interface SecretAuditEvent extends EventPayload {
  /** `read`, `denied`, `rotated`, `refresh-failed` or `expired-use` (a value past its TTL or overlap was served). */
  readonly action: SecretAuditAction;
  /** The secret's name. */
  readonly secret: string;
  /** The version read, rotated to or served; `undefined` when none was involved (a denial). */
  readonly version: string | undefined;
  /** The reader: a scoped view's `who`, or the manager's `who`. */
  readonly who: string;
  /** When, in ms since the epoch (the manager's clock). */
  readonly at: number;
}

/** Counters a health check or metrics exporter can read. */
export interface SecretManagerStats {
  /** Fetches sent to the providers. */
  readonly fetches: number;
  /** Fetches that failed while a last good value existed (that value kept being served). */
  readonly refreshFailures: number;
  /** Reads answered with a value past its TTL because it could not be refreshed. */
  readonly staleReads: number;
}

/** Options of `withSecret`. */
export interface WithSecretOptions {
  /** Which errors mean "this credential was refused". @default {@link isAuthFailure} (HTTP 401 and 403) */
  readonly isAuthFailure?: (error: unknown) => boolean;
}

/** What a {@link SecretPolicy} hands to its function: the usual context plus the secret to use. */
export interface SecretContext extends ExecuteContext {
  /** The version to use for this attempt; `reveal()` it at the call. */
  readonly secret: Secret<string>;
}

/**
 * A {@link Policy} that runs a call with a secret and, when the call fails with an auth failure,
 * runs it once more with the version `refreshOnAuthFailure` offers. Composes with `pipeline` like
 * any policy; put it innermost, so that an outer retry gets a fresh secret on every attempt.
 */
export interface SecretPolicy extends Policy {
  /** `<manager>:<secret name>`, for logs and metrics. */
  readonly name: string;
  execute<T>(fn: (context: SecretContext) => PromiseLike<T> | T, signal?: AbortSource): Promise<T>;
  executeResult<T>(fn: (context: SecretContext) => PromiseLike<T> | T, signal?: AbortSource): ResultAsync<T, BulwarkError>;
}

/** Options of `scope`. */
export interface SecretScopeOptions {
  /** Who the view belongs to, in audit events and denials, such as `billing-client`. */
  readonly who: string;
  /** The names it may read: exact names, or prefixes written `stripe.*`. */
  readonly names: readonly string[];
}

/** Read access to secrets: the manager itself or a scoped view of it. */
export interface SecretReader {
  /** Who reads through this view, in audit events. */
  readonly who: string;
  /** The secret to use now, from the cache when fresh. Rejects with `SecretNotFoundError`, `SecretAccessDeniedError` or `SecretProviderError`. */
  get(name: string): Promise<Secret<string>>;
  /** The neverthrow twin of `get`. */
  getResult(name: string): ResultAsync<Secret<string>, BulwarkError>;
  /** Current and previous versions, as known to the cache. */
  versions(name: string): Promise<SecretVersions>;
  /** The neverthrow twin of `versions`. */
  versionsResult(name: string): ResultAsync<SecretVersions, BulwarkError>;
  /** Reads every field of `schema` at once; rejects with one `SecretSchemaError` listing every problem. */
  load<const S extends SecretSchema>(schema: S): Promise<LoadedSecrets<S>>;
  /** The neverthrow twin of `load`. */
  loadResult<const S extends SecretSchema>(schema: S): ResultAsync<LoadedSecrets<S>, BulwarkError>;
  /**
   * Call after the other side refused `failed` (a 401 or 403): returns a different version to try
   * once — the new current one if the source has rotated, else the previous one while a rotation
   * overlaps — or `undefined` when there is nothing else to try. However many callers fail at
   * once, the providers are asked once.
   */
  refreshOnAuthFailure(name: string, failed?: Secret<string>): Promise<Secret<string> | undefined>;
  /** The neverthrow twin of `refreshOnAuthFailure`. */
  refreshOnAuthFailureResult(name: string, failed?: Secret<string>): ResultAsync<Secret<string> | undefined, BulwarkError>;
  /**
   * Runs `fn` with the secret; if it fails with an auth failure, runs it once more with the version
   * `refreshOnAuthFailure` offers. Other errors, and a second auth failure, reach the caller.
   */
  withSecret<T>(name: string, fn: (secret: Secret<string>) => PromiseLike<T> | T, options?: WithSecretOptions): Promise<T>;
  /** The neverthrow twin of `withSecret`. */
  withSecretResult<T>(
    name: string,
    fn: (secret: Secret<string>) => PromiseLike<T> | T,
    options?: WithSecretOptions,
  ): ResultAsync<T, BulwarkError>;
  /**
   * The same as `withSecret`, as a {@link Policy}: `fn` receives a context with `signal`, `attempt`
   * and `secret`. Rejects with the abort reason when `signal` aborts.
   *
   * @example
   * ```ts
   * const stripe = pipeline(retry({ maxAttempts: 3 }), vault.policy('STRIPE_KEY'));
   * await stripe.execute((ctx) => fetch(url, { signal: ctx.signal, headers: { authorization: `Bearer ${(ctx as SecretContext).secret.reveal()}` } }));
   * ```
   */
  policy(name: string, options?: WithSecretOptions): SecretPolicy;
  /** A view that may read only `names` (within this view's own grants); anything else is denied. */
  scope(options: SecretScopeOptions): SecretReader;
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
  /** Stops background refreshes and change subscriptions. Providers are closed by their owner. */
  close(): void;
}

interface Entry {
  current: Secret<string>;
  previous: Secret<string> | undefined;
  preferPrevious: boolean;
  fetchedAt: number;
  retryAt: number;
  previousUntil: number;
  counter: number;
  failures: number;
  timer: Timer | undefined;
}

interface Flight {
  readonly entry: Entry;
  readonly error: BulwarkError | undefined;
}

const DEFAULT_TTL_MS = 300_000;

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
  const refreshAheadMs = options.refreshAheadMs ?? (Number.isFinite(ttlMs) ? ttlMs / 5 : 0);
  expectNumber('refreshAheadMs', refreshAheadMs, { min: 0, below: ttlMs, reason: 'ttlMs' });
  const refreshRetryMs = options.refreshRetryMs ?? 5_000;
  expectNumber('refreshRetryMs', refreshRetryMs, { min: 0 });
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
  const providerNames = providerList.map((p) => p.name);

  const rotated = new EventEmitter<SecretRotatedEvent>();
  const audit = new EventEmitter<SecretAuditEvent>();
  const refreshFailed = new EventEmitter<SecretRefreshFailedEvent>();
  const cache = new Map<string, Entry>();
  const flights = new Map<string, Promise<Flight>>();
  const authRefreshes = new Map<string, { version: string | undefined; at: number; done: Promise<Flight> }>();
  const stats = { fetches: 0, refreshFailures: 0, staleReads: 0 };
  let closed = false;

  const emitAudit = (action: SecretAuditAction, name: string, version: string | undefined, who: string): void => {
    if (audit.hasListeners) audit.emit({ name: managerName, action, secret: name, version, who, at: clock.now() });
  };

  const withTimeout = async (provider: SecretProvider, name: string): Promise<SecretVersions | undefined> => {
    const controller = new AbortController();
    let timer: Timer | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = clock.setTimeout(
        () => {
          const error = new SecretProviderError(provider.name, name, `did not answer within ${fetchTimeoutMs} ms.`);
          controller.abort(error);
          reject(error);
        },
        fetchTimeoutMs,
        { unref: true },
      );
    });
    try {
      return await Promise.race([provider.fetch(name, controller.signal), timedOut]);
    } catch (error) {
      if (isSecretProviderError(error)) throw error;
      if (isBulwarkError(error)) {
        // Ours (a store's wrong key or corruption): its message names no value.
        throw new SecretProviderError(provider.name, name, `failed: ${error.message}`, { cause: error, transient: error.transient });
      }
      // A foreign error's message might quote anything: keep it as the cause, name only its class.
      const kind = error instanceof Error ? error.name : typeof error;
      throw new SecretProviderError(provider.name, name, `failed (${kind}).`, { cause: error });
    } finally {
      timer?.clear();
    }
  };

  const fetchFromProviders = async (name: string): Promise<SecretVersions> => {
    stats.fetches++;
    for (const provider of providerList) {
      const found = await withTimeout(provider, name);
      if (found !== undefined && found.current.reveal() !== '') return found;
    }
    throw new SecretNotFoundError(name, providerNames);
  };

  const schedule = (name: string, entry: Entry, delayMs: number): void => {
    entry.timer?.clear();
    entry.timer = undefined;
    if (closed || !Number.isFinite(delayMs)) return;
    entry.timer = clock.setTimeout(
      () => {
        entry.timer = undefined;
        if (cache.get(name) === entry) void flight(name);
      },
      delayMs,
      { unref: true },
    );
  };

  const apply = (name: string, found: SecretVersions, old: Entry | undefined): Entry => {
    const now = clock.monotonic();
    const value = found.current.reveal();
    let version = found.current.version;
    let counter = old?.counter ?? 0;
    let previous = found.previous;
    if (version !== undefined && old !== undefined && old.current.version === version && !old.current.equals(value)) {
      // Another provider answered with the same version label for a different value (the chain's
      // answer moved from one provider to another): still a rotation, under a label of its own.
      counter++;
      version = `${version}+${counter}`;
    } else if (version === undefined) {
      if (old !== undefined && old.current.equals(value)) {
        version = old.current.version!;
        previous ??= old.previous;
      } else {
        // Labels of our own, distinct from any a provider gave before.
        do version = `v${++counter}`;
        while (version === old?.current.version || version === old?.previous?.version);
        previous ??= old?.current;
      }
    }
    const current = new Secret(value, { name, version });
    const changed = old !== undefined && old.current.version !== version;
    const entry: Entry = {
      current,
      previous:
        previous === undefined
          ? undefined
          : new Secret(previous.reveal(), { name, version: previous.version ?? (changed ? old.current.version : 'previous') }),
      preferPrevious: changed ? false : (old?.preferPrevious ?? false),
      fetchedAt: now,
      retryAt: now,
      previousUntil: changed || old === undefined ? now + previousOverlapMs : old.previousUntil,
      counter,
      failures: 0,
      timer: undefined,
    };
    old?.timer?.clear();
    cache.set(name, entry);
    if (refreshAheadMs > 0) schedule(name, entry, ttlMs - refreshAheadMs);
    if (changed) {
      if (rotated.hasListeners) rotated.emit({ name: managerName, secret: name, version, previousVersion: old.current.version });
      emitAudit('rotated', name, version, rootWho);
    }
    return entry;
  };

  /** One fetch per name at a time; a failure with a last good value resolves to that value plus the error. */
  const flight = (name: string): Promise<Flight> => {
    const pending = flights.get(name);
    if (pending !== undefined) return pending;
    const started = (async (): Promise<Flight> => {
      try {
        const found = await fetchFromProviders(name);
        return { entry: apply(name, found, cache.get(name)), error: undefined };
      } catch (error) {
        const old = cache.get(name);
        if (old === undefined) throw error;
        const failure = error as BulwarkError;
        old.failures++;
        old.retryAt = clock.monotonic() + refreshRetryMs;
        stats.refreshFailures++;
        if (refreshFailed.hasListeners) {
          refreshFailed.emit({ name: managerName, secret: name, error: failure, version: old.current.version, failures: old.failures });
        }
        emitAudit('refresh-failed', name, old.current.version, rootWho);
        schedule(name, old, refreshRetryMs);
        return { entry: old, error: failure };
      } finally {
        flights.delete(name);
      }
    })();
    flights.set(name, started);
    return started;
  };

  const preferred = (entry: Entry): Secret<string> =>
    entry.preferPrevious && entry.previous !== undefined ? entry.previous : entry.current;

  const freshEntry = async (name: string, who: string): Promise<Entry> => {
    const entry = cache.get(name);
    if (entry === undefined) return (await flight(name)).entry;
    const now = clock.monotonic();
    if (now - entry.fetchedAt < ttlMs) return entry;
    if (now >= entry.retryAt) {
      const result = await flight(name);
      if (result.error === undefined) return result.entry;
    }
    stats.staleReads++;
    emitAudit('expired-use', name, preferred(entry).version, who);
    return entry;
  };

  // A provider that knows a secret changed (a watched file) gets it refetched now, not at the TTL.
  const subscriptions: Disposable[] = [];
  for (const provider of providerList) {
    const subscription = provider.onChange?.((event) => {
      const targets = event.secret === undefined ? [...cache.keys()] : [event.secret];
      for (const name of targets) {
        const entry = cache.get(name);
        if (entry === undefined) continue;
        entry.fetchedAt = -Infinity;
        entry.retryAt = -Infinity;
        void flight(name);
      }
    });
    if (subscription !== undefined) subscriptions.push(subscription);
  }

  const makeReader = (who: string, allowed: (name: string) => boolean): SecretReader => {
    const check = (name: string): void => {
      if (typeof name !== 'string' || name === '') throw invalidOption('name', name, 'a non-empty string');
      if (!allowed(name)) {
        emitAudit('denied', name, undefined, who);
        throw new SecretAccessDeniedError(name, who);
      }
    };

    const get = async (name: string): Promise<Secret<string>> => {
      check(name);
      const secret = preferred(await freshEntry(name, who));
      emitAudit('read', name, secret.version, who);
      return secret;
    };

    const versions = async (name: string): Promise<SecretVersions> => {
      check(name);
      const entry = await freshEntry(name, who);
      emitAudit('read', name, entry.current.version, who);
      return { current: entry.current, previous: entry.previous };
    };

    const load = async <const S extends SecretSchema>(schema: S): Promise<LoadedSecrets<S>> => {
      expectOptions('schema', schema);
      const fields = Object.entries(schema);
      for (const [field, spec] of fields) checkSecretField(`schema.${field}`, spec);
      const problems: SecretSchemaProblem[] = [];
      const out: Record<string, Secret<unknown> | undefined> = {};
      await Promise.all(
        fields.map(async ([field, spec]) => {
          const key = spec.name;
          let secret: Secret<string>;
          try {
            secret = await get(key);
          } catch (error) {
            const e = error as BulwarkError;
            if (e.code === 'SECRET_NOT_FOUND') {
              if (spec.optional === true) out[field] = undefined;
              else problems.push({ field, key, problem: 'missing', detail: 'not set in any provider' });
            } else if (e.code === 'SECRET_ACCESS_DENIED') {
              problems.push({ field, key, problem: 'denied', detail: `${quote(who)} may not read it` });
            } else {
              problems.push({ field, key, problem: 'unavailable', detail: e.message ?? 'a provider failed' });
            }
            return;
          }
          const raw = secret.reveal();
          if (spec.minLength !== undefined && raw.length < spec.minLength) {
            problems.push({ field, key, problem: 'malformed', detail: `shorter than ${spec.minLength} characters` });
            return;
          }
          if (spec.pattern !== undefined) {
            spec.pattern.lastIndex = 0;
            if (!spec.pattern.test(raw)) {
              problems.push({ field, key, problem: 'malformed', detail: `does not match ${spec.pattern}` });
              return;
            }
          }
          if (spec.parse !== undefined) {
            try {
              const parsed = spec.parse(raw);
              out[field] = new Secret(parsed, { name: key, version: secret.version });
            } catch (error) {
              const kind = error instanceof Error ? error.name : typeof error;
              problems.push({ field, key, problem: 'malformed', detail: `parse threw ${kind}` });
            }
            return;
          }
          out[field] = secret;
        }),
      );
      if (problems.length > 0) {
        const order = new Map(fields.map(([field], i) => [field, i]));
        problems.sort((a, b) => order.get(a.field)! - order.get(b.field)!);
        throw new SecretSchemaError(problems);
      }
      return out as LoadedSecrets<S>;
    };

    const refreshOnAuthFailure = async (name: string, failed?: Secret<string>): Promise<Secret<string> | undefined> => {
      check(name);
      let entry = cache.get(name) ?? (await flight(name)).entry;
      const failedVersion = failed?.version ?? preferred(entry).version;
      const inUse = preferred(entry);
      if (inUse.version !== failedVersion) {
        emitAudit('read', name, inUse.version, who);
        return inUse;
      }
      const last = authRefreshes.get(name);
      const now = clock.monotonic();
      if (last === undefined || last.version !== failedVersion || now - last.at >= authRefreshCooldownMs) {
        const done = flight(name);
        authRefreshes.set(name, { version: failedVersion, at: now, done });
        entry = (await done).entry;
      } else {
        // Someone already asked the providers about this failure: share their answer.
        entry = (await last.done).entry;
      }
      if (entry.current.version !== failedVersion) {
        entry.preferPrevious = false;
        emitAudit('read', name, entry.current.version, who);
        return entry.current;
      }
      if (entry.previous !== undefined && entry.previous.version !== failedVersion) {
        entry.preferPrevious = true;
        emitAudit(clock.monotonic() > entry.previousUntil ? 'expired-use' : 'read', name, entry.previous.version, who);
        return entry.previous;
      }
      return undefined;
    };

    /** Runs `attempt` with the secret, and once more with another version after an auth failure. */
    const callWithSecret = async <T>(
      name: string,
      attempt: (secret: Secret<string>) => Promise<T>,
      opts: WithSecretOptions,
    ): Promise<T> => {
      const isFailure = opts.isAuthFailure ?? isAuthFailure;
      const first = await get(name);
      try {
        return await attempt(first);
      } catch (error) {
        if (!isFailure(error)) throw error;
        const next = await refreshOnAuthFailure(name, first);
        if (next === undefined) throw error;
        return await attempt(next);
      }
    };

    const checkCallOptions = (opts: WithSecretOptions): void => {
      expectOptions('options', opts);
      if (opts.isAuthFailure !== undefined) expectFunction('isAuthFailure', opts.isAuthFailure);
    };

    const withSecret = async <T>(
      name: string,
      fn: (secret: Secret<string>) => PromiseLike<T> | T,
      opts: WithSecretOptions = {},
    ): Promise<T> => {
      expectFunction('fn', fn);
      checkCallOptions(opts);
      return callWithSecret(name, async (secret) => fn(secret), opts);
    };

    const policy = (name: string, opts: WithSecretOptions = {}): SecretPolicy => {
      if (typeof name !== 'string' || name === '') throw invalidOption('name', name, 'a non-empty string');
      checkCallOptions(opts);
      const execute = async <T>(fn: (context: SecretContext) => PromiseLike<T> | T, signal?: AbortSource): Promise<T> => {
        expectFunction('fn', fn);
        return callWithSecret(
          name,
          async (secret) => {
            const context = new SecretCallContext(signal, secret);
            if (context.aborted) throw context.reason;
            try {
              return await fn(context);
            } finally {
              context.release();
            }
          },
          opts,
        );
      };
      return {
        name: `${managerName}:${name}`,
        execute,
        executeResult: (fn, signal) => toResult(execute(fn, signal)),
      };
    };

    const reader: SecretReader = {
      who,
      get,
      getResult: (name) => toResult(get(name)),
      versions,
      versionsResult: (name) => toResult(versions(name)),
      load,
      loadResult: (schema) => toResult(load(schema)),
      refreshOnAuthFailure,
      refreshOnAuthFailureResult: (name, failed) => toResult(refreshOnAuthFailure(name, failed)),
      withSecret,
      withSecretResult: (name, fn, opts) => toResult(withSecret(name, fn, opts)),
      policy,
      scope(scopeOptions: SecretScopeOptions): SecretReader {
        expectOptions('options', scopeOptions);
        if (typeof scopeOptions?.who !== 'string' || scopeOptions.who === '') {
          throw invalidOption('who', scopeOptions?.who, 'a non-empty string');
        }
        if (!Array.isArray(scopeOptions.names) || scopeOptions.names.some((n) => typeof n !== 'string' || n === '')) {
          throw invalidOption('names', scopeOptions.names, 'an array of non-empty strings');
        }
        const own = compileGrants(scopeOptions.names);
        return makeReader(scopeOptions.who, (name) => allowed(name) && own(name));
      },
    };
    return reader;
  };

  const root = makeReader(rootWho, () => true);
  return {
    ...root,
    name: managerName,
    onRotated: rotated.event,
    onAudit: audit.event,
    onRefreshFailed: refreshFailed.event,
    get stats(): SecretManagerStats {
      return { ...stats };
    },
    async refresh(name: string): Promise<void> {
      if (typeof name !== 'string' || name === '') throw invalidOption('name', name, 'a non-empty string');
      const result = await flight(name);
      if (result.error !== undefined) throw result.error;
    },
    close(): void {
      closed = true;
      for (const subscription of subscriptions.splice(0)) subscription.dispose();
      for (const entry of cache.values()) {
        entry.timer?.clear();
        entry.timer = undefined;
      }
    },
  };
}
