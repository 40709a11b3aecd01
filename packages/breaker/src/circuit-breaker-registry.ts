import {
  EventEmitter,
  expectAbortSource,
  expectFunction,
  expectInteger,
  expectName,
  invalidOption,
  knownOptions,
  toResult,
  type AbortSource,
  type BulwarkError,
  type Event,
  type EventPayload,
  type PolicyFunction,
} from '@bulwark/core';
import type { ResultAsync } from 'neverthrow';
import { CIRCUIT_BREAKER_OPTIONS, circuitBreaker, type CircuitBreakerOptions, type CircuitBreakerPolicy } from './circuit-breaker.js';
import type { CircuitSnapshot } from './circuit-snapshot.js';
import type { CircuitState } from './circuit-state.js';
import { isReusableSpec } from './internal/counters.js';
import { expectBreakerOptions, expectRegistryOptions } from './internal/foreign-options.js';

/** A dependency: a string key, or a host and an optional endpoint (`{ host: 'api.stripe.com', endpoint: 'POST /v1/charges' }`). */
export type DependencyKey = string | { readonly host: string; readonly endpoint?: string };

/** Options for {@link circuitBreakerRegistry}. */
export interface CircuitBreakerRegistryOptions {
  /**
   * The options of every breaker (its `name` is the key), or a function of the key returning them,
   * to tune one dependency differently. A cockatiel `IBreaker` instance cannot be shared between
   * breakers: pass a function that makes a new one per key.
   * @default {} (the defaults of circuitBreaker)
   */
  readonly breaker?: Omit<CircuitBreakerOptions, 'name'> | ((key: string) => CircuitBreakerOptions);
  /**
   * Breakers kept at most. Beyond it the least recently used closed breaker is dropped; when every
   * breaker is open, half-open or isolated, the least recently used one is dropped all the same, and
   * `onBreakerDropped` says so (its dependency starts again closed).
   * @default 1000
   */
  readonly maxEntries?: number;
  /** Names the registry in its own events (each breaker is named by its key). @default 'circuitBreakerRegistry' */
  readonly name?: string;
}

/** Emitted by {@link CircuitBreakerRegistry.onBreakerCreated} when a breaker is made for a new key. */
export interface BreakerCreatedEvent extends EventPayload {
  /** The dependency, which is also the new breaker's name. */
  readonly key: string;
  /** Subscribe to its events here (`onBreak`, `onStateChange`, ...) to watch every dependency. */
  readonly breaker: CircuitBreakerPolicy;
}

/** Emitted by {@link CircuitBreakerRegistry.onBreakerDropped} when the registry drops a breaker to stay within `maxEntries`. */
export interface BreakerDroppedEvent extends EventPayload {
  /** The dependency whose breaker was dropped. */
  readonly key: string;
  /** Its state when dropped; anything but `closed` means an open circuit was forgotten. */
  readonly state: CircuitState;
}

/** The registry's state, from {@link CircuitBreakerRegistry.toJSON}: the snapshot of every circuit that is not closed. */
export interface RegistrySnapshot {
  readonly version: 1;
  readonly breakers: Readonly<Record<string, CircuitSnapshot>>;
}

/** Breakers keyed by dependency. Create one with {@link circuitBreakerRegistry}. */
export interface CircuitBreakerRegistry {
  /** The registry's name, in its events. */
  readonly name: string;
  /** Breakers held now. */
  readonly size: number;
  /** The breaker of a dependency, made on first use; marks it recently used. */
  get(key: DependencyKey): CircuitBreakerPolicy;
  /** The breaker of a dependency if there is one, without making it or marking it used. */
  peek(key: DependencyKey): CircuitBreakerPolicy | undefined;
  /** `get(key).execute(fn, signal)`; a bad key or `fn` rejects (never throws) with a `TypeError`. */
  execute<T>(key: DependencyKey, fn: PolicyFunction<T>, signal?: AbortSource): Promise<T>;
  /** `get(key).executeResult(fn, signal)`; a bad key or `fn` is an `Err`. */
  executeResult<T>(key: DependencyKey, fn: PolicyFunction<T>, signal?: AbortSource): ResultAsync<T, BulwarkError>;
  /** Drops a breaker; returns whether there was one. */
  delete(key: DependencyKey): boolean;
  /** The keys held, least recently used first. */
  keys(): string[];
  /** The snapshot of every breaker that is not closed (a restart must not forget an open circuit). */
  toJSON(): RegistrySnapshot;
  /** Restores {@link CircuitBreakerRegistry.toJSON}'s output, making the breakers it names. */
  restore(snapshot: RegistrySnapshot): void;
  /** Fires when a breaker is made for a new key: subscribe to its events there. */
  readonly onBreakerCreated: Event<BreakerCreatedEvent>;
  /** Fires when a breaker is dropped to stay within `maxEntries`. */
  readonly onBreakerDropped: Event<BreakerDroppedEvent>;
}

/** The string form of a {@link DependencyKey}: `host` or `host endpoint`, the host lower-cased. */
export function dependencyKey(key: DependencyKey): string {
  if (typeof key === 'string') {
    if (key === '') throw invalidOption('key', key, 'a non-empty string or { host, endpoint? }');
    return key;
  }
  if (typeof key !== 'object' || key === null || typeof key.host !== 'string' || key.host === '') {
    throw invalidOption('key', key, 'a non-empty string or { host, endpoint? }');
  }
  if (key.endpoint !== undefined && typeof key.endpoint !== 'string') throw invalidOption('key.endpoint', key.endpoint, 'a string');
  const host = key.host.toLowerCase();
  return key.endpoint === undefined || key.endpoint === '' ? host : `${host} ${key.endpoint}`;
}

class Registry implements CircuitBreakerRegistry {
  readonly name: string;
  readonly #make: (key: string) => CircuitBreakerPolicy;
  readonly #maxEntries: number;
  // A Map iterates in insertion order: re-inserting on use keeps it least recently used first.
  readonly #breakers = new Map<string, CircuitBreakerPolicy>();
  readonly #onBreakerCreated = new EventEmitter<BreakerCreatedEvent>();
  readonly #onBreakerDropped = new EventEmitter<BreakerDroppedEvent>();
  readonly onBreakerCreated = this.#onBreakerCreated.event;
  readonly onBreakerDropped = this.#onBreakerDropped.event;

  constructor(name: string, make: (key: string) => CircuitBreakerPolicy, maxEntries: number) {
    this.name = name;
    this.#make = make;
    this.#maxEntries = maxEntries;
  }

  get size(): number {
    return this.#breakers.size;
  }

  get(key: DependencyKey): CircuitBreakerPolicy {
    const k = typeof key === 'string' && key !== '' ? key : dependencyKey(key);
    const map = this.#breakers;
    let breaker = map.get(k);
    if (breaker !== undefined) {
      map.delete(k);
      map.set(k, breaker);
      return breaker;
    }
    breaker = this.#make(k);
    if (map.size >= this.#maxEntries) this.#evictOne();
    map.set(k, breaker);
    if (this.#onBreakerCreated.hasListeners) this.#onBreakerCreated.emit({ name: this.name, key: k, breaker });
    return breaker;
  }

  peek(key: DependencyKey): CircuitBreakerPolicy | undefined {
    return this.#breakers.get(dependencyKey(key));
  }

  execute<T>(key: DependencyKey, fn: PolicyFunction<T>, signal?: AbortSource): Promise<T> {
    if (typeof fn !== 'function') return Promise.reject(invalidOption('fn', fn, 'a function'));
    let breaker: CircuitBreakerPolicy;
    try {
      expectAbortSource('signal', signal); // before a breaker is made for a call that cannot run
      breaker = this.get(key);
    } catch (error) {
      return Promise.reject(error);
    }
    return breaker.execute(fn, signal);
  }

  executeResult<T>(key: DependencyKey, fn: PolicyFunction<T>, signal?: AbortSource): ResultAsync<T, BulwarkError> {
    return toResult(this.execute(key, fn, signal));
  }

  delete(key: DependencyKey): boolean {
    return this.#breakers.delete(dependencyKey(key));
  }

  keys(): string[] {
    return [...this.#breakers.keys()];
  }

  #evictOne(): void {
    let victim: string | undefined;
    for (const [key, breaker] of this.#breakers) {
      if (breaker.state === 'closed') {
        victim = key;
        break;
      }
    }
    victim ??= this.#breakers.keys().next().value;
    if (victim === undefined) return;
    const state = this.#breakers.get(victim)!.state;
    this.#breakers.delete(victim);
    if (this.#onBreakerDropped.hasListeners) this.#onBreakerDropped.emit({ name: this.name, key: victim, state });
  }

  toJSON(): RegistrySnapshot {
    const breakers: Record<string, CircuitSnapshot> = {};
    for (const [key, breaker] of this.#breakers) {
      if (breaker.state !== 'closed') breakers[key] = breaker.toJSON();
    }
    return { version: 1, breakers };
  }

  restore(snapshot: RegistrySnapshot): void {
    if (typeof snapshot !== 'object' || snapshot === null) throw invalidOption('snapshot', snapshot, 'a registry snapshot from toJSON()');
    if (snapshot.version !== 1) throw invalidOption('snapshot.version', snapshot.version, '1');
    if (typeof snapshot.breakers !== 'object' || snapshot.breakers === null) {
      throw invalidOption('snapshot.breakers', snapshot.breakers, 'an object of circuit snapshots by key');
    }
    for (const [key, circuit] of Object.entries(snapshot.breakers)) this.get(key).restore(circuit);
  }
}

const REGISTRY_OPTIONS = knownOptions<CircuitBreakerRegistryOptions>('circuitBreakerRegistry()', {
  name: [],
  breaker: [],
  maxEntries: ['maxSize', 'max', 'maxBreakers', 'size'],
});

/**
 * Creates a registry of circuit breakers keyed by dependency (host, endpoint), so that one bad
 * endpoint opens its own circuit and not everyone's. Bounded: see `maxEntries` for what is dropped.
 *
 * With a `store` in the breaker options, each key's circuit is shared with other processes under
 * that key.
 *
 * @example
 * ```ts
 * declare const request: Request;
 * declare const metrics: { increment(name: string, tags: Record<string, string>): void };
 * const breakers = circuitBreakerRegistry({ breaker: { halfOpenAfterMs: 5_000 }, maxEntries: 500 });
 * breakers.onBreakerCreated(({ breaker }) => breaker.onBreak((e) => metrics.increment('breaker.open', { dep: e.name })));
 * const url = new URL(request.url);
 * await breakers.execute({ host: url.host, endpoint: url.pathname }, ({ signal }) => fetch(url, { signal }));
 * ```
 */
export function circuitBreakerRegistry(options: CircuitBreakerRegistryOptions = {}): CircuitBreakerRegistry {
  expectRegistryOptions(options, REGISTRY_OPTIONS, CIRCUIT_BREAKER_OPTIONS);
  const maxEntries = options.maxEntries ?? 1000;
  expectInteger('maxEntries', maxEntries, { min: 1 });
  const name = options.name ?? 'circuitBreakerRegistry';
  expectName(name);
  const base = options.breaker ?? {};
  let make: (key: string) => CircuitBreakerPolicy;
  if (typeof base === 'function') {
    expectFunction('breaker', base);
    make = (key) => circuitBreaker({ name: key, ...base(key) });
  } else {
    expectBreakerOptions('breaker', base, { ...CIRCUIT_BREAKER_OPTIONS, of: 'circuitBreakerRegistry()' });
    if (!isReusableSpec(base.breaker)) {
      throw invalidOption('breaker.breaker', base.breaker, 'a breaker spec object; a cockatiel IBreaker instance needs `breaker` to be a function of the key');
    }
    if ('name' in base) throw invalidOption('breaker.name', (base as { name?: unknown }).name, 'unset (each breaker is named by its key)');
    const { store: _store, ...rest } = base;
    circuitBreaker(rest); // validates the options now rather than on first use
    make = (key) => circuitBreaker({ ...base, name: key });
  }
  return new Registry(name, make, maxEntries);
}
