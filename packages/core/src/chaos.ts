import type { ResultAsync } from 'neverthrow';
import type { BulwarkError } from './bulwark-error.js';
import { CallContext } from './call-context.js';
import { ChaosFaultError } from './chaos-fault-error.js';
import { systemClock, type Clock } from './clock.js';
import { EventEmitter, type Event } from './event.js';
import type { EventPayload } from './event-payloads.js';
import { seededRandom } from './seeded-random.js';
import type { AbortSource, ExecuteContext, Policy, PolicyFunction } from './policy.js';
import { sleep } from './sleep.js';
import { toResult } from './to-result.js';
import {
  expectClock,
  expectFunction,
  expectInteger,
  expectName,
  expectNumber,
  expectOptions,
  invalidOption,
  knownOptions,
} from './validate.js';

/** Options for {@link chaos}. Rates are probabilities from 0 to 1, drawn per call. */
export interface ChaosOptions {
  /** Share of calls that fail with `fault` instead of running. @default 0 */
  readonly faultRate?: number;
  /** What a faulted call throws: an error, or a function making one. @default a new ChaosFaultError */
  readonly fault?: unknown;
  /** Added delay in milliseconds: fixed, or `[min, max]` drawn uniformly. @default 0 */
  readonly latencyMs?: number | readonly [number, number];
  /** Share of calls that get the delay. @default 1 when `latencyMs` is set */
  readonly latencyRate?: number;
  /** Seed of the random draws: the same seed gives the same sequence of faults and delays. @default random */
  readonly seed?: number;
  /** Switch for the whole policy, read on every call; off means a plain pass-through. @default true */
  readonly enabled?: boolean | (() => boolean);
  /** Time source for the delays. @default systemClock */
  readonly clock?: Clock;
  /** A name for logs and metrics. @default 'chaos' */
  readonly name?: string;
}

/** Emitted by {@link ChaosPolicy.onChaos} for every call the policy interferes with. */
export interface ChaosEvent extends EventPayload {
  /** `fault`: the call failed without running; `latency`: it was delayed. */
  readonly kind: 'fault' | 'latency';
  /** The delay added, for `latency`. */
  readonly delayMs?: number;
}

/** A {@link Policy} that injects faults and latency. Create one with {@link chaos}. */
export interface ChaosPolicy extends Policy {
  /** The name given in the options, for logs and metrics. */
  readonly name: string;
  readonly onChaos: Event<ChaosEvent>;
}

const isFunction = (value: unknown): value is (context: ExecuteContext) => unknown => typeof value === 'function';

class Chaos implements ChaosPolicy {
  readonly name: string;
  readonly #random: () => number;
  readonly #options: ChaosOptions;
  readonly #onChaos = new EventEmitter<ChaosEvent>();
  readonly onChaos = this.#onChaos.event;

  constructor(options: ChaosOptions, seed: number) {
    this.name = options.name ?? 'chaos';
    this.#options = options;
    this.#random = seededRandom(seed);
  }

  async execute<T>(fn: PolicyFunction<T>, signal?: AbortSource): Promise<T> {
    expectFunction('fn', fn);
    const { enabled = true, faultRate = 0, latencyMs, clock = systemClock } = this.#options;
    const call = new CallContext(signal);
    try {
      if (!(typeof enabled === 'function' ? enabled() : enabled)) return await fn(call);
      if (latencyMs !== undefined && this.#random() < (this.#options.latencyRate ?? 1)) {
        const delayMs =
          typeof latencyMs === 'number' ? latencyMs : latencyMs[0] + this.#random() * (latencyMs[1] - latencyMs[0]);
        this.#onChaos.emit({ name: this.name, kind: 'latency', delayMs });
        await sleep(delayMs, { signal: call, clock });
      }
      if (faultRate > 0 && this.#random() < faultRate) {
        this.#onChaos.emit({ name: this.name, kind: 'fault' });
        const { fault } = this.#options;
        throw fault === undefined ? new ChaosFaultError() : isFunction(fault) ? fault(call) : fault;
      }
      return await fn(call);
    } finally {
      call.release();
    }
  }

  executeResult<T>(fn: PolicyFunction<T>, signal?: AbortSource): ResultAsync<T, BulwarkError> {
    return toResult(this.execute(fn, signal));
  }
}

const CHAOS_OPTIONS = knownOptions<ChaosOptions>('chaos()', {
  faultRate: ['errorRate', 'injectionRate', 'rate'],
  fault: [],
  latencyMs: ['latency', 'delay'],
  latencyRate: [],
  seed: [],
  enabled: [],
  clock: [],
  name: [],
});

/**
 * Creates a policy that injects faults and latency into calls, for testing your own resilience: put
 * it innermost in a {@link pipeline} in a test or a staging environment and watch the policies
 * around it cope. With a `seed`, the same run injects the same faults.
 *
 * @example
 * ```ts
 * import { retry } from '@bulwark/retry';
 * const flaky = chaos({ faultRate: 0.3, latencyMs: [50, 400], seed: 42 });
 * const client = pipeline(retry({ maxAttempts: 4 }), timeout(300), flaky);
 * ```
 */
export function chaos(options: ChaosOptions): ChaosPolicy {
  expectOptions('options', options, CHAOS_OPTIONS);
  // `chaos()` in plain JavaScript would inject nothing, unseen, as bulkhead() without its limit would.
  if (options === undefined) throw invalidOption('options', options, 'an options object (`{ faultRate }`, `{ latencyMs }` or both)');
  const o = options;
  if (o.faultRate !== undefined) expectNumber('faultRate', o.faultRate, { min: 0, max: 1 });
  if (o.latencyRate !== undefined) expectNumber('latencyRate', o.latencyRate, { min: 0, max: 1 });
  if (typeof o.latencyMs === 'number') expectNumber('latencyMs', o.latencyMs, { min: 0 });
  else if (o.latencyMs !== undefined) {
    const range = o.latencyMs as unknown;
    if (
      !Array.isArray(range) ||
      range.length !== 2 ||
      !range.every((n) => typeof n === 'number' && Number.isFinite(n) && n >= 0) ||
      range[0] > range[1]
    ) {
      throw invalidOption('latencyMs', range, 'a non-negative number or a [min, max] pair with min <= max');
    }
  }
  if (o.seed !== undefined) expectInteger('seed', o.seed);
  if (o.enabled !== undefined && typeof o.enabled !== 'boolean' && typeof o.enabled !== 'function') {
    throw invalidOption('enabled', o.enabled, 'a boolean or a function returning one');
  }
  expectClock('clock', o.clock);
  if (o.name !== undefined) expectName(o.name);
  return new Chaos(o, o.seed ?? Math.floor(Math.random() * 2 ** 32));
}
